import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { Hub } from '../hub/hub.js';
import { AppError, isAppError } from '../shared/errors.js';
import { agentsRoutes } from './agents-routes.js';
import { apiRoutes } from './api-routes.js';
import { adminAuth, inferenceKeyAuth, keyAuthMiddleware, RequestGuard, sendError } from './security.js';
import { ToolkitSessions, type SessionLimits } from './toolkit-routes.js';
import { UiLinks } from './ui-links.js';
import { v1Routes } from './v1-routes.js';

export interface HubServerOptions {
  host: string;
  port: number;
  adminToken: string;
  logger: Logger;
  /** The built web UI (`out/renderer`), served at `/`. */
  uiDir?: string;
  /** Accept requests without a key as the `default` resource: only for protocol test suites, only on loopback. */
  noAuth?: boolean;
  /** Largest request body accepted, in bytes (default 4 MiB); larger ones get 413. */
  bodyLimitBytes?: number;
  /** Bounds on toolkit sessions (defaults: `defaultSessionLimits`). */
  sessionLimits?: Partial<SessionLimits>;
}

/** The hub's HTTP face: health, Heroku's `/v1`, the UI's `/api`. The owner calls `close()`. */
export class HubServer {
  private server: Server | undefined;
  private readonly toolkit: ToolkitSessions;
  private readonly guard: RequestGuard;
  private readonly bodyLimitBytes: number;
  /** One-time links that open the UI without putting the admin token on a command line. */
  readonly uiLinks: UiLinks;

  constructor(
    private readonly hub: Hub,
    private readonly options: HubServerOptions,
  ) {
    if (options.noAuth && !isLoopback(options.host)) {
      throw new AppError('invalid_input', `--no-auth is only allowed on a loopback address, not ${options.host}`);
    }
    this.bodyLimitBytes = options.bodyLimitBytes ?? 4 * 1024 * 1024;
    this.guard = new RequestGuard(isWildcard(options.host) ? [] : [options.host.includes(':') ? `[${options.host}]` : options.host]);
    this.toolkit = new ToolkitSessions(hub, {
      guard: this.guard,
      keyAuth: this.keyAuth(),
      bodyLimitBytes: this.bodyLimitBytes,
      logger: options.logger,
      ...(options.sessionLimits ? { limits: options.sessionLimits } : {}),
    });
    this.uiLinks = new UiLinks(options.adminToken);
  }

  /** Listens and resolves with the base URL, e.g. `http://127.0.0.1:7420`. */
  async start(): Promise<string> {
    const app = this.app();
    // The toolkit's endpoints first, on Node's own objects; everything else goes through express.
    const server = createServer((req, res) => {
      if (!this.toolkit.handle(req, res)) app(req, res);
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    const host = this.options.host.includes(':') ? `[${this.options.host}]` : this.options.host;
    return `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${port}`;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await this.toolkit.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private app(): express.Express {
    const { hub, options } = this;
    const app = express();
    app.disable('x-powered-by');
    app.set('trust proxy', false);
    app.use(this.guard.middleware());
    app.get('/health', (_req, res) => {
      res.json({ status: 'ok' });
    });
    const json = express.json({ limit: this.bodyLimitBytes });
    // A one-time code from `procdock ui` or `serve --open` becomes the admin token, once.
    app.post('/auth/ui-code', express.json({ limit: '1kb' }), (req, res) => {
      const code = (req.body as { code?: unknown } | undefined)?.code;
      const token = typeof code === 'string' ? this.uiLinks.redeem(code) : undefined;
      if (!token) return sendError(res, 401, 'unauthorized', 'this link has expired or was already used: run procdock ui for a new one');
      res.json({ token });
    });
    app.post('/api/ui-link', adminAuth(options.adminToken), (_req, res) => {
      res.json({ code: this.uiLinks.mint() });
    });
    app.use('/v1', keyAuthMiddleware(this.keyAuth()), json, v1Routes(hub), agentsRoutes(hub));
    app.use('/api', adminAuth(options.adminToken), json, apiRoutes(hub));
    if (options.uiDir) app.use(express.static(options.uiDir, { index: 'index.html', maxAge: '1h' }));
    app.use((_req, res) => sendError(res, 404, 'not_found', 'no such endpoint'));
    app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
      if (isAppError(error)) return sendError(res, error.status, error.code, error.message);
      const status = (error as { status?: number }).status;
      if (status === 413) return sendError(res, 413, 'too_large', `request body over ${this.bodyLimitBytes} bytes`);
      // express.json takes objects and arrays only: `null` or `3` is valid JSON, and refused the same.
      if (status === 400) return sendError(res, 400, 'invalid_input', 'the body is not a JSON object (send {} for none)');
      options.logger.error({ err: error }, 'unexpected error');
      sendError(res, 500, 'internal', 'the hub hit a bug; see its log');
    });
    return app;
  }

  private keyAuth() {
    const { hub, options } = this;
    return inferenceKeyAuth(
      (key) => hub.catalog.models.findByKey(key),
      options.noAuth ? () => hub.catalog.models.findByName('default') : undefined,
    );
  }
}

function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost';
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}
