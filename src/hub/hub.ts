import { EventEmitter } from 'node:events';
import { checkAppFolder } from '../apps/host-mounts.js';
import { Catalog } from '../catalog/catalog.js';
import type { KeyProvider } from '../catalog/secret-box.js';
import type { ServerRow } from '../catalog/servers-repository.js';
import { DockerSandbox } from '../sandbox/docker-sandbox.js';
import { removedWhileBuilding } from '../sandbox/image-builder.js';
import { ProcessSandbox } from '../sandbox/process-sandbox.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import type { AppChange, ServerStatus, ServerView, SyncResult } from '../shared/api.js';
import { AppError, isAppError } from '../shared/errors.js';
import {
  operationInputs,
  type OperationInput,
  type OperationName,
  type OperationOutputs,
  type Operations,
  type ParsedInput,
} from '../shared/operations.js';
import { AppRegistry, defaultResourceName } from './app-registry.js';
import { desktopHandlers } from './desktop-operations.js';
import { runDoctor } from './doctor.js';
import { Approvals } from './approvals.js';
import { CallGate, type GateOptions } from './call-gate.js';
import { Limiter } from './limiter.js';
import { trustHandlers } from './trust-operations.js';
import { grantable, stateHandlers } from './state-operations.js';
import { OneOffRunner } from './one-off-runner.js';
import { ToolRunner } from './tool-runner.js';
import { WarmPools, type WarmPoolLimits } from './warm-pools.js';
import { ToolSync } from './tool-sync.js';
import { Views } from './views.js';

export interface HubOptions {
  dataDir: string;
  sandbox?: Sandbox;
  keys?: KeyProvider;
  /** The base URL clients reach the hub at, for `INFERENCE_URL`. */
  url?: string;
  initTimeoutMs?: number;
  listTimeoutMs?: number;
  maxConcurrentCalls?: number;
  /** Keep warm containers for started servers (the long-running hub does; one CLI command does not). */
  warmPools?: boolean;
  /** Hub-wide bounds on warm containers (defaults: `defaultWarmPoolLimits`). */
  warmPoolLimits?: Partial<WarmPoolLimits>;
  /** Where the hub reports what it does in the background (warm pools, sweeps); silent without one. */
  logger?: HubLogger;
  /** How long a call held for approval waits, and how long "for a while" lasts. */
  gate?: GateOptions;
}

/** The few logging calls the hub makes; pino's logger fits. */
export interface HubLogger {
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
}

/** A line of progress of long work on an app (an image build), for the CLI and the UI. */
export interface ProgressEvent {
  app: string;
  line: string;
}

/**
 * The sandbox the user picked: `PROCDOCK_SANDBOX=process` for plain child processes (unsandboxed),
 * else Docker, whether or not an engine answers right now.
 */
export function createSandbox(dataDir: string, env: NodeJS.ProcessEnv = process.env): Sandbox {
  if (env.PROCDOCK_SANDBOX === 'process') return new ProcessSandbox();
  if (env.PROCDOCK_SANDBOX && env.PROCDOCK_SANDBOX !== 'docker') {
    throw new AppError('invalid_input', `PROCDOCK_SANDBOX=${env.PROCDOCK_SANDBOX}: expected docker or process`);
  }
  return new DockerSandbox({ dataDir, buildNetwork: env.PROCDOCK_BUILD_NETWORK || 'bridge' });
}

/** Servers synced at once, hub-wide: a Procfile of 25 servers starts 4 containers at a time. */
export const maxConcurrentSyncs = 4;

type Handlers = { [N in OperationName]: (input: ParsedInput<N>) => Promise<OperationOutputs[N]> | OperationOutputs[N] };

/**
 * The hub: the catalog, the sandbox and the services over them, wired by hand. It runs every
 * operation of the API. The owner calls `close()`, which waits for running servers to be gone.
 */
export class Hub implements Operations {
  readonly catalog: Catalog;
  readonly sandbox: Sandbox;
  readonly registry: AppRegistry;
  readonly views: Views;
  readonly runner: ToolRunner;
  /** Built-in tools' one-off commands, through the same limiter and call log as every call. */
  readonly oneOffs: OneOffRunner;
  readonly toolSync: ToolSync;
  readonly pools: WarmPools | undefined;
  /** Set by close(): what fails from then on failed because the hub stopped. */
  private closing = false;
  readonly approvals = new Approvals();
  readonly gate: CallGate;
  readonly dataDir: string;
  url: string;
  private readonly events = new EventEmitter();
  private readonly handlers: Handlers;

  constructor(options: HubOptions) {
    this.dataDir = options.dataDir;
    this.sandbox = options.sandbox ?? createSandbox(options.dataDir);
    this.catalog = Catalog.open(options.dataDir, options.keys);
    // Every UI window and toolkit follows changes: no arbitrary cap on listeners.
    this.events.setMaxListeners(0);
    this.url = options.url ?? 'http://127.0.0.1:7420';
    const changed = () => this.events.emit('change');
    const sandbox = () => this.sandbox;
    this.registry = new AppRegistry(this.catalog);
    this.views = new Views(this.catalog);
    this.toolSync = new ToolSync(
      this.catalog,
      sandbox,
      { initTimeoutMs: options.initTimeoutMs ?? 60_000, listTimeoutMs: options.listTimeoutMs ?? 30_000 },
      changed,
      new Limiter(maxConcurrentSyncs),
    );
    this.pools = options.warmPools
      ? new WarmPools(
          this.catalog,
          sandbox,
          options.initTimeoutMs ?? 60_000,
          (server, error) =>
            options.logger?.warn({ server: `${server.app_name}/${server.process_type}`, err: error }, 'a warm container did not start'),
          options.warmPoolLimits,
        )
      : undefined;
    this.gate = new CallGate(this.catalog, this.approvals, options.gate);
    // One limiter for tool calls and built-ins alike: at most `maxConcurrentCalls` run at once, the rest queue.
    const limiter = new Limiter(options.maxConcurrentCalls ?? 8);
    this.runner = new ToolRunner(
      this.catalog,
      sandbox,
      limiter,
      options.initTimeoutMs ?? 60_000,
      () => this.events.emit('change', 'calls'),
      this.pools,
      this.gate,
    );
    this.oneOffs = new OneOffRunner(this.catalog, sandbox, limiter, changed);
    // Before any other follower hears of a change, the runner and the gate read the catalog anew.
    this.events.on('change', (what?: 'calls') => {
      if (what !== 'calls') {
        this.runner.forgetCatalog();
        this.gate.forgetCatalog();
      }
    });
    this.ensureDefaultResource();
    this.handlers = this.createHandlers();
  }

  /**
   * Listens for any change of state the UI mirrors; `what` is `calls` when only the call log
   * changed. Returns the function that stops listening.
   */
  onDidChange(listener: (what?: 'calls') => void): () => void {
    this.events.on('change', listener);
    return () => this.events.off('change', listener);
  }

  /** Listens for progress lines of long work (image builds). */
  onDidProgress(listener: (event: ProgressEvent) => void): () => void {
    this.events.on('progress', listener);
    return () => this.events.off('progress', listener);
  }

  /** Starts what runs in the background: for the hub that owns the data dir. */
  async start(): Promise<void> {
    this.recoverInterrupted();
    await this.sandbox.start();
    this.pools?.refresh();
  }

  async run<N extends OperationName>(name: N, input: OperationInput<N>): Promise<OperationOutputs[N]> {
    const schema = operationInputs[name];
    if (!schema) throw new AppError('not_found', `no operation "${String(name)}"`);
    const parsed = schema.safeParse(input ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join('.') || 'input';
      throw new AppError('invalid_input', `${field}: ${issue?.message ?? 'invalid'}`);
    }
    const handler = this.handlers[name] as (input: unknown) => Promise<OperationOutputs[N]> | OperationOutputs[N];
    try {
      return await handler(parsed.data);
    } catch (error) {
      // Work the stopping hub cut short (a sync, a build) fails for that reason, not as a bug.
      if (this.closing && !isAppError(error)) throw new AppError('unavailable', `the hub stopped before ${String(name)} was done: run it again`);
      throw error;
    }
  }

  /** Marks work a killed hub left half-done as failed. Only the process that owns the data dir calls it. */
  recoverInterrupted(): void {
    this.catalog.apps.failInterruptedBuilds();
    this.catalog.servers.failInterruptedSyncs();
    this.catalog.calls.failInterrupted();
  }

  /**
   * Stops everything and closes the catalog. `now` (a signal) ends running calls by removing their
   * containers first, rather than letting them run out their time.
   */
  async close(options: { now?: boolean } = {}): Promise<void> {
    this.closing = true;
    this.toolSync.close();
    if (options.now) await this.sandbox.dispose();
    await this.runner.closeSessions();
    await this.pools?.close();
    await this.runner.drain();
    await this.oneOffs.drain();
    await this.sandbox.dispose();
    this.catalog.close();
    this.events.removeAllListeners();
  }

  private ensureDefaultResource(): void {
    if (this.catalog.models.findByName(defaultResourceName)) return;
    this.catalog.models.create({
      name: defaultResourceName,
      provider: 'openai',
      model_id: 'gpt-4o-mini',
      api_key_env: 'OPENAI_API_KEY',
    });
  }

  /**
   * Builds the app's image if its files changed. A failure is stored on the app; a server that was
   * serving goes on with the image built before (as a release keeps running when the next one's
   * build fails), and only one with nothing to serve from, or no engine to run on, shows it.
   */
  private async prepareApp(appId: string): Promise<'built' | 'kept' | 'failed'> {
    const app = this.catalog.apps.findById(appId);
    if (!app) throw removedWhileBuilding();
    this.catalog.apps.setBuilding(app.id);
    this.events.emit('change');
    try {
      const commands = this.catalog.servers.listByApp(app.id).map((server) => server.process_command);
      const prepared = await this.sandbox.prepare({ ...app, commands }, (line) => this.events.emit('progress', { app: app.name, line }));
      this.catalog.apps.setBuilt(app.id, prepared.image, prepared.hash);
      return 'built';
    } catch (error) {
      // Removed while it built: the caller adding or building it hears so; there is nothing to mark.
      if (!this.catalog.apps.findById(app.id)) throw error instanceof AppError ? error : removedWhileBuilding(app.name);
      const message = error instanceof Error ? error.message : String(error);
      this.catalog.apps.setBuildError(app.id, message);
      // With no engine to run it, the image built before serves nothing either.
      const engineUp = await this.sandbox.status().then(
        (status) => status.ready,
        () => false,
      );
      const serving = (server: ServerRow) => engineUp && app.image !== null && server.primitives_status === 'synced';
      const servers = this.catalog.servers.listByApp(app.id);
      for (const server of servers.filter((s) => !serving(s))) {
        this.catalog.servers.setSyncError(server.id, `the app's image did not build: ${message}`);
      }
      return servers.some(serving) ? 'kept' : 'failed';
    } finally {
      this.events.emit('change');
    }
  }

  /**
   * Re-reads the app's Procfile and procdock.json (unless it was just added), rebuilds its image if
   * its files changed, then re-reads every server's tools.
   */
  private async syncApp(appId: string, reread = true): Promise<SyncResult> {
    const app = this.catalog.apps.findById(appId);
    if (!app) throw removedWhileBuilding();
    const changes: AppChange[] = reread ? await this.registry.refresh(app) : [];
    for (const change of changes) this.events.emit('progress', { app: app.name, line: `${change.process}: ${change.what}` });
    if (changes.length > 0) this.changed();
    const prepared = await this.prepareApp(appId);
    if (prepared === 'built') {
      const servers = this.catalog.servers.listByApp(appId);
      await Promise.all(servers.map((server) => this.toolSync.sync(server)));
    } else if (prepared === 'kept') {
      const why = this.catalog.apps.findById(appId)?.build_error?.split('\n')[0] ?? 'the build failed';
      const what = `its image did not build (${why}): its servers go on with the image built before; fix it, then: procdock apps:build ${app.name}`;
      this.events.emit('progress', { app: app.name, line: what });
      changes.push({ app: app.name, what, refused: true });
    }
    return { changes, servers: this.catalog.servers.listByApp(appId).map((row) => this.views.server(row)) };
  }

  /** Keeps warm pools in step with the catalog and tells every follower that something changed. */
  private changed(): void {
    this.pools?.refresh();
    this.runner.refreshSessions();
    this.events.emit('change');
  }

  private setServerStatus(appName: string, processType: string, status: ServerStatus): ServerView {
    const app = this.registry.app(appName);
    const server = this.catalog.servers.listByApp(app.id).find((s) => s.process_type === processType);
    if (!server) throw new AppError('not_found', `app "${app.name}" has no server "${processType}"`);
    this.catalog.servers.setStatus(server.id, status);
    this.changed();
    return this.views.server(this.catalog.servers.findById(server.id)!);
  }

  private createHandlers(): Handlers {
    const { catalog, registry, views } = this;
    const changed = () => this.changed();
    return {
      ...stateHandlers({
        catalog,
        registry,
        views,
        sandbox: this.sandbox,
        dataDir: this.dataDir,
        changed,
        retryFailedSyncs: async (appId) => {
          const failed = catalog.servers.listByApp(appId).filter((server) => server.primitives_status === 'error');
          await Promise.all(failed.map((server) => this.toolSync.sync(server)));
          if (failed.length > 0) changed();
        },
      }),
      'hub.info': async () => {
        const status = await this.sandbox.status();
        return {
          version: '0.1.0',
          url: this.url,
          inference_url: this.url,
          toolkit_url: `${this.url}/mcp`,
          ui_url: `${this.url}/`,
          sandbox: { kind: this.sandbox.kind, sandboxed: this.sandbox.sandboxed, ...status },
        };
      },
      'hub.doctor': () => runDoctor({ sandbox: this.sandbox, port: Number(new URL(this.url).port) || 7420, hubUrl: this.url }),
      'apps.list': () => catalog.apps.list().map((app) => views.app(app.name)),
      ...trustHandlers({ catalog, registry, gate: this.gate, approvals: this.approvals, changed }),
      'apps.add': async (input) => {
        checkAppFolder(input.path, this.dataDir);
        const app = await registry.add(input, input.mounts.map((mount) => grantable(this.sandbox, mount, this.dataDir)));
        if (!input.pin) catalog.trust.setAppPins(app.id, false);
        changed();
        await this.syncApp(app.id, false);
        changed();
        if (!catalog.apps.findById(app.id)) throw removedWhileBuilding(app.name);
        return views.app(app.name);
      },
      'apps.remove': async ({ name, keep_data }) => {
        // Out of the catalog first, so no warm pool refills from its image while it goes.
        const app = registry.remove(name);
        changed();
        await this.pools?.settled();
        await this.sandbox.forget(app, { keepData: keep_data });
        return { removed: app.name };
      },
      'apps.build': async ({ name }) => {
        const app = registry.app(name);
        const { changes } = await this.syncApp(app.id);
        changed();
        if (!catalog.apps.findById(app.id)) throw removedWhileBuilding(app.name);
        return { ...views.app(name), changes };
      },
      'servers.start': ({ app, process }) => this.setServerStatus(app, process, 'registered'),
      'servers.stop': ({ app, process }) => this.setServerStatus(app, process, 'disconnected'),
      'servers.list': ({ resource }) => {
        const rows = resource
          ? catalog.servers.listByResource(registry.resource(resource).id)
          : catalog.servers.list();
        return rows.map((row) => views.server(row));
      },
      sync: async ({ app }) => {
        if (app) {
          const synced = await this.syncApp(registry.app(app).id);
          changed();
          return synced;
        }
        // One app that cannot be re-read (its folder went, a malformed Procfile) holds up no other.
        const synced = await Promise.all(
          catalog.apps.list().map((row) =>
            this.syncApp(row.id).catch((error: unknown): SyncResult => {
              if (!isAppError(error)) throw error;
              return { changes: [{ app: row.name, what: `not re-read: ${error.message}`, refused: true }], servers: [] };
            }),
          ),
        );
        changed();
        return { changes: synced.flatMap((s) => s.changes), servers: synced.flatMap((s) => s.servers) };
      },
      call: ({ tool, args, resource }) => this.runner.call({ tool, args, resourceName: resource ?? defaultResourceName, caller: 'procdock call' }),
      'models.list': () => catalog.models.list().map((row) => views.resource(row)),
      'models.create': (input) => {
        if (catalog.models.findByName(input.name)) {
          throw new AppError('conflict', `a model resource named "${input.name}" already exists`);
        }
        const row = catalog.models.create({ ...input, model_id: input.model });
        changed();
        return views.resource(row);
      },
      'models.remove': ({ name }) => {
        if (name === defaultResourceName) throw new AppError('invalid_input', 'the default resource cannot be removed');
        catalog.models.remove(registry.resource(name).id);
        changed();
        return { removed: name };
      },
      attach: ({ app, resource }) => {
        const done = registry.attach(app, resource);
        changed();
        return done;
      },
      detach: ({ app, resource }) => {
        const done = registry.detach(app, resource);
        changed();
        return done;
      },
      'config.get': ({ app }) => ({ app, vars: catalog.config.get(registry.app(app).id) }),
      'config.set': ({ app, vars }) => {
        const row = registry.app(app);
        catalog.config.set(row.id, vars);
        changed();
        return { app, vars: catalog.config.get(row.id) };
      },
      'config.unset': ({ app, keys }) => {
        const row = registry.app(app);
        catalog.config.unset(row.id, keys);
        changed();
        return { app, vars: catalog.config.get(row.id) };
      },
      key: ({ resource }) => {
        const row = registry.resource(resource ?? defaultResourceName);
        return { INFERENCE_URL: this.url, INFERENCE_KEY: catalog.models.inferenceKey(row.id), INFERENCE_MODEL_ID: row.model_id };
      },
      'calls.list': ({ limit, ...filter }) => catalog.calls.list(limit, filter),
      ...desktopHandlers(this, changed),
    };
  }
}
