import type { Catalog } from '../catalog/catalog.js';
import type { ServerPrimitives, ServerRow, ToolDefinition } from '../catalog/servers-repository.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import type { RefusedName } from '../shared/api.js';
import { refusedName } from '../toolkit/tool-names.js';
import { launchOf, openSession } from './launch.js';
import type { Limiter } from './limiter.js';

export interface SyncTimeouts {
  initTimeoutMs: number;
  listTimeoutMs: number;
}

/**
 * Re-reads a server's tools in a fresh sandboxed process: `initialize`, `tools/list` over every
 * page, store. `primitives_status` goes syncing → synced, or error with the reason.
 */
export class ToolSync {
  /** Fires at close: a sync in flight stops waiting for its server at once, and none writes after. */
  private readonly stopping = new AbortController();

  constructor(
    private readonly catalog: Catalog,
    private readonly sandbox: () => Sandbox,
    private readonly timeouts: SyncTimeouts,
    private readonly changed: () => void,
    /** Bounds how many servers sync at once, whatever a Procfile holds. */
    private readonly limiter: Limiter,
  ) {}

  async sync(server: ServerRow): Promise<void> {
    this.catalog.servers.setSyncing(server.id);
    this.changed();
    try {
      // Each waits for its turn: one whose server was removed meanwhile (its app with it) starts nothing.
      const read = await this.limiter.run(async () => {
        const current = this.stopping.signal.aborted ? undefined : this.catalog.servers.findById(server.id);
        return current && (await this.readTools(current));
      });
      if (this.stopping.signal.aborted || !read || !this.catalog.servers.findById(server.id)) return;
      const { info, tools, primitives } = read;
      const refused: RefusedName[] = [];
      const keep = <T extends { name: string }>(kind: RefusedName['kind'], items: T[]) =>
        items.filter((item) => {
          const reason = refusedName(item.name);
          if (reason) refused.push({ kind, name: item.name, reason });
          return !reason;
        });
      const offered = keep('tool', tools);
      this.catalog.transaction(() => {
        this.catalog.servers.setSynced(server.id, info, offered, { ...primitives, prompts: keep('prompt', primitives.prompts) }, refused);
        this.catalog.trust.pinAfterSync(server, offered);
      });
    } catch (error) {
      // A hub stopping ends its syncs' containers: the next start says they were interrupted.
      if (this.stopping.signal.aborted) return;
      this.catalog.servers.setSyncError(server.id, error instanceof Error ? error.message : String(error));
    }
    this.changed();
  }

  /** Stops writing: what is syncing now is left as it is, for the next start to call interrupted. */
  close(): void {
    this.stopping.abort();
  }

  private async readTools(server: ServerRow): Promise<{ info: unknown; tools: ToolDefinition[]; primitives: ServerPrimitives }> {
    // A signal of this sync's own, which the hub's stop aborts: the SDK adds a listener to the
    // signal of every request it sends and never takes it off, so on the hub's one signal they
    // piled up for the hub's lifetime (Node warned at the 11th, in a run with many syncs).
    const own = new AbortController();
    const stop = () => own.abort(this.stopping.signal.reason);
    if (this.stopping.signal.aborted) stop();
    this.stopping.signal.addEventListener('abort', stop, { once: true });
    try {
      return await this.readToolsUntil(server, own.signal);
    } finally {
      this.stopping.signal.removeEventListener('abort', stop);
    }
  }

  private async readToolsUntil(server: ServerRow, signal: AbortSignal): Promise<{ info: unknown; tools: ToolDefinition[]; primitives: ServerPrimitives }> {
    const proc = await this.sandbox().launch(launchOf(this.catalog, server, 'sync'), signal);
    try {
      const session = await openSession(proc, {
        label: `${server.app_name}/${server.process_type}`,
        initTimeoutMs: this.timeouts.initTimeoutMs,
        signal,
      });
      try {
        const options = { timeout: this.timeouts.listTimeoutMs, signal };
        const tools = await session.listAllTools(options);
        const primitives = await session.listAllPrimitives(options);
        return { info: session.serverInfo, tools: tools as ToolDefinition[], primitives };
      } finally {
        await session.close();
      }
    } finally {
      await proc.dispose();
    }
  }
}
