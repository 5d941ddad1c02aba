import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { ModelResourceRow } from '../catalog/models-repository.js';

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

/** `Host`'s name: "[::1]:7420" → "[::1]", "localhost:7420" → "localhost"; none when what follows it is not a port. */
function hostnameOf(hostHeader: string): string | undefined {
  const end = hostHeader.startsWith('[') ? hostHeader.indexOf(']') + 1 : hostHeader.indexOf(':') === -1 ? hostHeader.length : hostHeader.indexOf(':');
  // "127.0.0.1:7420.evil" is no loopback name with a port after it.
  return /^(:\d{1,5})?$/.test(hostHeader.slice(end)) ? hostHeader.slice(0, end) : undefined;
}

/**
 * What every request passes before anything answers it, on both of the hub's request paths (the
 * toolkit's and express's): its `Host` must be one the hub listens under (a DNS-rebinding page
 * reaches 127.0.0.1 with its own hostname in `Host`), a browser page's `Origin` must be loopback
 * (MCP's Origin MUST), and every answer carries the headers that keep it out of other pages.
 */
export class RequestGuard {
  private readonly allowed: Set<string>;

  constructor(extraHosts: string[] = []) {
    this.allowed = new Set([...loopbackHosts, ...extraHosts.map((h) => h.toLowerCase())]);
  }

  /** Answers a request that may not reach the hub (421 or 403) and says so; else sets the security headers. */
  refuse(req: IncomingMessage, res: ServerResponse): boolean {
    const host = req.headers.host;
    const name = host === undefined ? undefined : hostnameOf(host.toLowerCase());
    if (name === undefined || !this.allowed.has(name)) {
      sendError(res, 421, 'forbidden', `Host ${JSON.stringify(host ?? '')} is not this hub; use http://127.0.0.1`);
      return true;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !this.originAllowed(origin)) {
      sendError(res, 403, 'forbidden', `Origin ${origin} may not use this hub`);
      return true;
    }
    // Never framed by another page (clickjacking), never sniffed, no referrer.
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Content-Security-Policy', "frame-ancestors 'none'");
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    return false;
  }

  /** The same as express middleware. */
  middleware() {
    return (req: Request, res: Response, next: NextFunction) => {
      if (!this.refuse(req, res)) next();
    };
  }

  private originAllowed(origin: string): boolean {
    try {
      const url = new URL(origin);
      return (url.protocol === 'http:' || url.protocol === 'https:') && this.allowed.has(url.hostname.toLowerCase());
    } catch {
      return false;
    }
  }
}

export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

export function sendUnauthorized(res: ServerResponse, message: string): void {
  res.setHeader('WWW-Authenticate', 'Bearer realm="procdock"');
  sendError(res, 401, 'unauthorized', message);
}

/**
 * The model resource whose `INFERENCE_KEY` a request carries as its bearer token, or undefined
 * after answering 401. With `unauthenticated` (the `--no-auth` mode for protocol test suites) a
 * request without a key gets that resource instead.
 */
export type KeyAuth = (req: IncomingMessage, res: ServerResponse) => ModelResourceRow | undefined;

export function inferenceKeyAuth(
  findByKey: (key: string) => ModelResourceRow | undefined,
  unauthenticated?: () => ModelResourceRow | undefined,
): KeyAuth {
  return (req, res) => {
    const token = bearerToken(req);
    const resource = token ? findByKey(token) : unauthenticated?.();
    if (!resource) sendUnauthorized(res, token ? 'the bearer key is not an INFERENCE_KEY of this hub' : 'missing Authorization: Bearer <INFERENCE_KEY>');
    return resource;
  };
}

/** Key authentication as express middleware: the resource goes to `res.locals.resource`. */
export function keyAuthMiddleware(auth: KeyAuth) {
  return (req: Request, res: Response, next: NextFunction) => {
    const resource = auth(req, res);
    if (!resource) return;
    res.locals.resource = resource;
    next();
  };
}

/** Guards the UI's `/api` with the hub's own admin token, compared in constant time. */
export function adminAuth(adminToken: string) {
  const expected = Buffer.from(adminToken);
  return (req: Request, res: Response, next: NextFunction) => {
    const given = Buffer.from(bearerToken(req) ?? '');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return next();
    sendUnauthorized(res, 'missing or wrong admin token (see hub.json in the data dir)');
  };
}

export function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { error: { code, message } });
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) }).end(body);
}
