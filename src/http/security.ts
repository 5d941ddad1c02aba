import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { ModelResourceRow } from '../catalog/models-repository.js';

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

function hostnameOf(hostHeader: string): string {
  // "[::1]:7420" → "[::1]", "localhost:7420" → "localhost"
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1);
  return hostHeader.split(':')[0] ?? '';
}

/**
 * Refuses a request whose `Host` is not one the hub listens under: a DNS-rebinding page reaches
 * 127.0.0.1 with its own hostname in `Host`.
 */
export function hostCheck(extraHosts: string[] = []) {
  const allowed = new Set([...loopbackHosts, ...extraHosts.map((h) => h.toLowerCase())]);
  return (req: Request, res: Response, next: NextFunction) => {
    const host = req.headers.host;
    if (!host || !allowed.has(hostnameOf(host.toLowerCase()))) {
      sendError(res, 421, 'forbidden', `Host ${JSON.stringify(host ?? '')} is not this hub; use http://127.0.0.1`);
      return;
    }
    next();
  };
}

/** A browser page from any origin but the loopback ones gets 403 (MCP's Origin MUST). */
export function originCheck(extraHosts: string[] = []) {
  const allowed = new Set([...loopbackHosts, ...extraHosts.map((h) => h.toLowerCase())]);
  return (req: Request, res: Response, next: NextFunction) => {
    const origin = req.headers.origin;
    if (origin === undefined) return next();
    let ok = false;
    try {
      const url = new URL(origin);
      ok = (url.protocol === 'http:' || url.protocol === 'https:') && allowed.has(url.hostname.toLowerCase());
    } catch {
      ok = false;
    }
    if (!ok) {
      sendError(res, 403, 'forbidden', `Origin ${origin} may not use this hub`);
      return;
    }
    next();
  };
}

export function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

export function sendUnauthorized(res: Response, message: string): void {
  res.setHeader('WWW-Authenticate', 'Bearer realm="procdock"');
  sendError(res, 401, 'unauthorized', message);
}

/**
 * Resolves the model resource the bearer `INFERENCE_KEY` selects, or answers 401. With
 * `unauthenticated` (the `--no-auth` mode for protocol test suites) a request without a key gets
 * that resource instead.
 */
export function inferenceKeyAuth(
  findByKey: (key: string) => ModelResourceRow | undefined,
  unauthenticated?: () => ModelResourceRow | undefined,
) {
  return (req: Request, res: Response, next: NextFunction) => {
    const token = bearerToken(req);
    const resource = token ? findByKey(token) : unauthenticated?.();
    if (resource) {
      res.locals.resource = resource;
      return next();
    }
    sendUnauthorized(res, token ? 'the bearer key is not an INFERENCE_KEY of this hub' : 'missing Authorization: Bearer <INFERENCE_KEY>');
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

export function sendError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

/** Every answer: never framed by another page (clickjacking), never sniffed, no referrer. */
export function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Content-Security-Policy', "frame-ancestors 'none'");
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  next();
}
