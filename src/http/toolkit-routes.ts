import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Logger } from 'pino';
import type { ModelResourceRow } from '../catalog/models-repository.js';
import type { Hub } from '../hub/hub.js';
import { SseTransport } from '../toolkit/sse-transport.js';
import { StreamableHttpTransport } from '../toolkit/streamable-http-transport.js';
import { isInitialize } from '../toolkit/jsonrpc.js';
import { ToolkitListCache, type ListFingerprints } from '../toolkit/toolkit-lists.js';
import { createToolkitServer } from '../toolkit/toolkit-server.js';
import { readJsonBody, sentAsJson } from './json-body.js';
import { sendError, sendJson, type KeyAuth, type RequestGuard } from './security.js';

/** Bounds on the toolkit's sessions, so that clients that never end theirs cannot fill the hub's memory. */
export interface SessionLimits {
  /** Open sessions per `INFERENCE_KEY` (both transports); past it a new session ends the least recently used idle one, or gets 429. */
  perKey: number;
  /** A Streamable HTTP session with no request or stream open for this long is ended. */
  idleMs: number;
}

export const defaultSessionLimits: SessionLimits = { perKey: 100, idleMs: 15 * 60_000 };

interface Session {
  resourceId: string;
  /** The digest of the key that opened it: a session ends with its key (rotated, or its resource removed). */
  keyHash: string | undefined;
  resourceName: string;
  server: Server;
  transport: StreamableHttpTransport | SseTransport;
  /** The lists this session was last told of. */
  seen: ListFingerprints;
  /** When a request of this session was last seen (performance.now()). */
  lastActive: number;
}

/** What the toolkit's endpoints need of the hub's HTTP server. */
export interface ToolkitEndpointOptions {
  guard: RequestGuard;
  keyAuth: KeyAuth;
  bodyLimitBytes: number;
  logger: Logger;
  limits?: Partial<SessionLimits>;
}

const keepAliveMs = 15_000;

function rpcError(res: ServerResponse, status: number, code: number, message: string): void {
  sendJson(res, status, { jsonrpc: '2.0', error: { code, message }, id: null });
}

/**
 * The toolkit's MCP endpoints: Streamable HTTP at `/mcp`, HTTP+SSE at `/mcp/sse` and
 * `/mcp/messages`. A session belongs to the resource whose key opened it; at most
 * `limits.perKey` are open per key (a new one past it ends the least recently used with nothing
 * open), and an idle Streamable HTTP session ends after
 * `limits.idleMs`. Owns every session and closes them all in `close()`. It answers on Node's
 * own request objects, ahead of express: every tool call comes this way, and express's routing
 * and body parsing cost about a millisecond a request.
 */
export class ToolkitSessions {
  private readonly sessions = new Map<string, Session>();
  private readonly lists: ToolkitListCache;
  private readonly limits: SessionLimits;
  private readonly stopWatching: () => void;
  private readonly sweeper: NodeJS.Timeout;
  private announcing: NodeJS.Timeout | undefined;

  constructor(
    private readonly hub: Hub,
    private readonly options: ToolkitEndpointOptions,
  ) {
    this.limits = { ...defaultSessionLimits, ...options.limits };
    this.lists = new ToolkitListCache(hub.catalog);
    this.stopWatching = hub.onDidChange((what) => {
      // A call changes the call log, never a toolkit.
      if (what === 'calls') return;
      this.endStale();
      this.lists.invalidate();
      // Off the request path: changes come in bursts, and the lists are compared once per burst.
      this.announcing ??= setTimeout(() => {
        this.announcing = undefined;
        this.announceChanges();
      }, 25);
    });
    this.sweeper = setInterval(() => this.endIdle(), Math.min(60_000, Math.max(250, this.limits.idleMs / 4)));
    this.sweeper.unref();
  }

  get count(): number {
    return this.sessions.size;
  }

  /** Answers a request under `/mcp` and says so; any other path is not the toolkit's. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const { path, search } = splitUrl(req.url ?? '/');
    if (path !== '/mcp' && !path.startsWith('/mcp/')) return false;
    this.serve(req, res, path, search).catch((error: unknown) => {
      this.options.logger.error({ err: error }, 'unexpected error in the toolkit');
      if (!res.headersSent) sendError(res, 500, 'internal', 'the hub hit a bug; see its log');
      else res.destroy();
    });
    return true;
  }

  async close(): Promise<void> {
    this.stopWatching();
    clearTimeout(this.announcing);
    clearInterval(this.sweeper);
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(sessions.map((s) => s.transport.close().catch(() => undefined)));
  }

  private async serve(req: IncomingMessage, res: ServerResponse, path: string, search: string): Promise<void> {
    const { guard, keyAuth, bodyLimitBytes } = this.options;
    if (guard.refuse(req, res)) return;
    const resource = keyAuth(req, res);
    if (!resource) return;
    let body: unknown;
    if (req.method === 'POST') {
      const read = await readJsonBody(req, bodyLimitBytes);
      if (!read.ok) return rpcError(res, read.status, read.status === 400 ? -32700 : -32000, read.message);
      body = read.value;
    }
    if (path === '/mcp') return this.streamable(req, res, resource, body);
    if (path === '/mcp/sse' && req.method === 'GET') return this.openSse(res, resource);
    if (path === '/mcp/sse') {
      res.setHeader('Allow', 'GET');
      return rpcError(res, 405, -32000, 'Method not allowed: this is the HTTP+SSE endpoint; POST to /mcp for Streamable HTTP');
    }
    if (path === '/mcp/messages' && req.method === 'POST') return this.sseMessage(req, res, resource, body, new URLSearchParams(search).get('sessionId'));
    sendError(res, 404, 'not_found', 'no such endpoint');
  }

  /** The session a request names, if it exists and belongs to the request's key. */
  private sessionOf(resource: ModelResourceRow, id: unknown): Session | undefined {
    const session = typeof id === 'string' ? this.sessions.get(id) : undefined;
    if (!session || session.resourceId !== resource.id) return undefined;
    session.lastActive = performance.now();
    return session;
  }

  private async streamable(req: IncomingMessage, res: ServerResponse, resource: ModelResourceRow, body: unknown): Promise<void> {
    const id = req.headers['mcp-session-id'];
    if (typeof id === 'string') {
      const session = this.sessionOf(resource, id);
      if (!session || !(session.transport instanceof StreamableHttpTransport)) return rpcError(res, 404, -32001, 'Session not found');
      return session.transport.handle(req, res, body);
    }
    // A body that is not JSON was not read: that is what is wrong with it, not a missing session.
    if (req.method === 'POST' && !sentAsJson(req)) {
      return rpcError(res, 415, -32000, 'Unsupported Media Type: Content-Type must be application/json');
    }
    // A batch may carry the initialize (alone: the transport refuses it beside other messages).
    const initializing = Array.isArray(body) ? body.some(isInitialize) : isInitialize(body);
    if (req.method !== 'POST' || !initializing) {
      return rpcError(res, 400, -32000, 'Bad Request: Mcp-Session-Id header is required');
    }
    if (this.refuseOverCap(res, resource)) return;
    const transport = new StreamableHttpTransport({ sessionId: randomUUID(), keepAliveMs });
    await this.open(resource, transport);
    transport.handle(req, res, body);
    if (!transport.isInitialized) void transport.close();
  }

  private async openSse(res: ServerResponse, resource: ModelResourceRow): Promise<void> {
    if (this.refuseOverCap(res, resource)) return;
    res.setHeader('X-Accel-Buffering', 'no');
    await this.open(resource, new SseTransport('/mcp/messages', res, keepAliveMs));
  }

  private sseMessage(req: IncomingMessage, res: ServerResponse, resource: ModelResourceRow, body: unknown, id: string | null): void {
    if (id === null) return rpcError(res, 400, -32000, 'Bad Request: sessionId is required');
    const session = this.sessionOf(resource, id);
    if (!session || !(session.transport instanceof SseTransport)) return rpcError(res, 404, -32001, 'Session not found');
    session.transport.handlePost(req, res, body);
  }

  /** Connects a new session's toolkit server to its transport and keeps the session until it closes. */
  private async open(resource: ModelResourceRow, transport: StreamableHttpTransport | SseTransport): Promise<void> {
    const server = createToolkitServer(this.hub, resource.name, this.lists);
    const session: Session = {
      resourceId: resource.id,
      keyHash: this.hub.catalog.models.keyHash(resource.id),
      resourceName: resource.name,
      server,
      transport,
      seen: this.lists.fingerprints(resource.name),
      lastActive: performance.now(),
    };
    this.sessions.set(transport.sessionId, session);
    // The server chains its own close to this; closing the transport closes the session.
    transport.onclose = () => this.sessions.delete(transport.sessionId);
    await server.connect(transport);
  }

  /**
   * Makes room for a key's new session at its share: ends its idle ones, then the one least
   * recently used with nothing open (no request, no stream), as a client that reconnects often
   * leaves sessions it never ends; that session's client gets 404 and starts anew, as the spec
   * has it. Answers 429 only when every session of the key has something open.
   */
  private refuseOverCap(res: ServerResponse, resource: ModelResourceRow): boolean {
    const resourceId = resource.id;
    const mine = () => [...this.sessions.values()].filter((s) => s.resourceId === resourceId);
    if (mine().length >= this.limits.perKey) this.endIdle();
    const open = mine();
    if (open.length < this.limits.perKey) return false;
    const spare = open
      .filter((s) => s.transport instanceof StreamableHttpTransport && !s.transport.busy)
      .reduce<Session | undefined>((oldest, s) => (!oldest || s.lastActive < oldest.lastActive ? s : oldest), undefined);
    if (spare) {
      this.sessions.delete(spare.transport.sessionId);
      void spare.transport.close().catch(() => undefined);
      return false;
    }
    res.setHeader('Retry-After', String(Math.ceil(this.limits.idleMs / 1000)));
    rpcError(
      res,
      429,
      -32000,
      `Too many sessions: this key has ${this.limits.perKey} open, each with a request or stream open; end one (DELETE /mcp with its Mcp-Session-Id, or close its stream)`,
    );
    return true;
  }

  /**
   * Ends the sessions whose key no longer opens anything: after key:rotate the old key's sessions
   * refuse every request, and they must not count against the new key's share either.
   */
  private endStale(): void {
    const current = new Map<string, string | undefined>();
    for (const session of this.sessions.values()) {
      if (!current.has(session.resourceId)) current.set(session.resourceId, this.hub.catalog.models.keyHash(session.resourceId));
      if (current.get(session.resourceId) !== session.keyHash) {
        this.sessions.delete(session.transport.sessionId);
        void session.transport.close().catch(() => undefined);
      }
    }
  }

  /** Ends every Streamable HTTP session that has had nothing open for `idleMs`. */
  private endIdle(): void {
    const now = performance.now();
    for (const session of this.sessions.values()) {
      if (!(session.transport instanceof StreamableHttpTransport)) continue;
      if (session.transport.busy) session.lastActive = now;
      else if (now - session.lastActive >= this.limits.idleMs) void session.transport.close();
    }
  }

  /** Tells every session whose lists changed: `notifications/{tools,resources,prompts}/list_changed`. */
  private announceChanges(): void {
    for (const session of this.sessions.values()) {
      const now = this.lists.fingerprints(session.resourceName);
      const { server, seen } = session;
      if (now.tools !== seen.tools) void server.sendToolListChanged().catch(() => undefined);
      if (now.resources !== seen.resources) void server.sendResourceListChanged().catch(() => undefined);
      if (now.prompts !== seen.prompts) void server.sendPromptListChanged().catch(() => undefined);
      session.seen = now;
    }
  }
}

/**
 * A request target's path, matched as express matches routes (any case, one trailing slash, the
 * absolute form a proxy sends), and its query string.
 */
function splitUrl(url: string): { path: string; search: string } {
  let target = url;
  if (!url.startsWith('/')) {
    try {
      const absolute = new URL(url);
      target = absolute.pathname + absolute.search;
    } catch {
      return { path: url, search: '' };
    }
  }
  const query = target.search(/[?#]/);
  const path = (query === -1 ? target : target.slice(0, query)).toLowerCase().replace(/(.)\/$/, '$1');
  const search = query === -1 || target[query] === '#' ? '' : target.slice(query).replace(/#.*$/, '');
  return { path, search };
}
