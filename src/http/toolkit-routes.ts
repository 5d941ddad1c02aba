import { randomUUID } from 'node:crypto';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { Router, type Request, type Response } from 'express';
import type { ModelResourceRow } from '../catalog/models-repository.js';
import type { Hub } from '../hub/hub.js';
import { createToolkitServer, listFingerprints, type ListFingerprints } from '../toolkit/toolkit-server.js';

interface Session {
  resourceId: string;
  resourceName: string;
  server: Server;
  transport: StreamableHTTPServerTransport | SSEServerTransport;
  /** The lists this session was last told of. */
  seen: ListFingerprints;
}

const keepAliveMs = 15_000;

function rpcError(res: Response, status: number, code: number, message: string): void {
  res.status(status).json({ jsonrpc: '2.0', error: { code, message }, id: null });
}

/**
 * The toolkit's MCP endpoints: Streamable HTTP at `/mcp`, HTTP+SSE at `/mcp/sse` and
 * `/mcp/messages`. A session belongs to the resource whose key opened it. Owns every session and
 * closes them all in `close()`.
 */
export class ToolkitSessions {
  private readonly sessions = new Map<string, Session>();
  private readonly stopWatching: () => void;
  private announcing: NodeJS.Timeout | undefined;

  constructor(private readonly hub: Hub) {
    // Off the call path: changes come in bursts, and a tool list is compared once per burst.
    this.stopWatching = hub.onDidChange(() => {
      this.announcing ??= setTimeout(() => {
        this.announcing = undefined;
        this.announceChanges();
      }, 25);
    });
  }

  get count(): number {
    return this.sessions.size;
  }

  routes(): Router {
    const router = Router();
    router.post('/mcp', (req, res) => this.streamable(req, res));
    router.get('/mcp', (req, res) => this.streamable(req, res));
    router.delete('/mcp', (req, res) => this.streamable(req, res));
    router.get('/mcp/sse', (req, res) => this.openSse(req, res));
    router.post('/mcp/sse', (_req, res) => {
      res.setHeader('Allow', 'GET');
      rpcError(res, 405, -32000, 'Method not allowed: this is the HTTP+SSE endpoint; POST to /mcp for Streamable HTTP');
    });
    router.post('/mcp/messages', (req, res) => this.sseMessage(req, res));
    return router;
  }

  async close(): Promise<void> {
    this.stopWatching();
    clearTimeout(this.announcing);
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(sessions.map((s) => s.transport.close().catch(() => undefined)));
  }

  private resourceOf(res: Response): ModelResourceRow {
    return res.locals.resource as ModelResourceRow;
  }

  private async streamable(req: Request, res: Response): Promise<void> {
    const id = req.headers['mcp-session-id'];
    if (typeof id === 'string') {
      const session = this.sessions.get(id);
      if (!session || session.resourceId !== this.resourceOf(res).id || !(session.transport instanceof StreamableHTTPServerTransport)) {
        return rpcError(res, 404, -32001, 'Session not found');
      }
      return session.transport.handleRequest(req, res, req.body);
    }
    if (req.method !== 'POST' || !isInitializeRequest(req.body)) {
      return rpcError(res, 400, -32000, 'Bad Request: Mcp-Session-Id header is required');
    }
    const resource = this.resourceOf(res);
    const server = createToolkitServer(this.hub, resource.name);
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      keepAliveMs,
      onsessioninitialized: (sessionId) => {
        this.sessions.set(sessionId, this.session(resource, server, transport));
      },
    });
    // The server chains its own close to this; closing the transport closes the session.
    transport.onclose = () => {
      if (transport.sessionId) this.sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  }

  private async openSse(req: Request, res: Response): Promise<void> {
    const resource = this.resourceOf(res);
    const server = createToolkitServer(this.hub, resource.name);
    const transport = new SSEServerTransport('/mcp/messages', res);
    this.sessions.set(transport.sessionId, this.session(resource, server, transport));
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), keepAliveMs);
    transport.onclose = () => {
      clearInterval(keepAlive);
      this.sessions.delete(transport.sessionId);
    };
    req.on('close', () => void transport.close());
    res.setHeader('X-Accel-Buffering', 'no');
    await server.connect(transport);
  }

  private async sseMessage(req: Request, res: Response): Promise<void> {
    const id = req.query.sessionId;
    if (typeof id !== 'string') return rpcError(res, 400, -32000, 'Bad Request: sessionId is required');
    const session = this.sessions.get(id);
    if (!session || session.resourceId !== this.resourceOf(res).id || !(session.transport instanceof SSEServerTransport)) {
      return rpcError(res, 404, -32001, 'Session not found');
    }
    await session.transport.handlePostMessage(req, res, req.body);
  }

  private session(resource: ModelResourceRow, server: Server, transport: Session['transport']): Session {
    return { resourceId: resource.id, resourceName: resource.name, server, transport, seen: listFingerprints(this.hub, resource.name) };
  }

  /** Tells every session whose lists changed: `notifications/{tools,resources,prompts}/list_changed`. */
  private announceChanges(): void {
    const byResource = new Map<string, ListFingerprints>();
    for (const session of this.sessions.values()) {
      let now = byResource.get(session.resourceName);
      if (!now) {
        now = listFingerprints(this.hub, session.resourceName);
        byResource.set(session.resourceName, now);
      }
      const { server, seen } = session;
      if (now.tools !== seen.tools) void server.sendToolListChanged().catch(() => undefined);
      if (now.resources !== seen.resources) void server.sendResourceListChanged().catch(() => undefined);
      if (now.prompts !== seen.prompts) void server.sendPromptListChanged().catch(() => undefined);
      session.seen = now;
    }
  }
}
