import { performance } from 'node:perf_hooks';
import type { Catalog } from '../catalog/catalog.js';
import type { ServerRow } from '../catalog/servers-repository.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import { PoolDemand } from '../upstream/pool-demand.js';
import { WarmPool, type WarmBudget, type WarmSession } from '../upstream/warm-pool.js';
import { launchOf, openSession } from './launch.js';

/** Hub-wide bounds on warm containers, whatever the apps' `procdock.json` files ask for. */
export interface WarmPoolLimits {
  /** Warm containers (started or starting, not yet serving a call) across every server. */
  maxContainers: number;
  /** The sum of those containers' memory limits, in MiB. */
  maxMemoryMb: number;
  /** How long a surge of calls keeps a pool grown; after a quiet spell this long it shrinks back. */
  idleMs: number;
}

export const defaultWarmPoolLimits: WarmPoolLimits = {
  maxContainers: 16,
  maxMemoryMb: 8192,
  idleMs: 5 * 60_000,
};

/** Until a pool has opened a session, a call's container is taken to start in this long. */
const assumedOpenMs = 1000;
/** A tool name no server is expected to have: what a warm-up call asks for. */
const warmUpTool = 'procdock_warm_up_probe';
const warmUpTimeoutMs = 5000;
/** How often pools are resized to their demand, at most: a pool shrinks within this of its surge ending. */
const resizeEveryMs = 15_000;

/**
 * The warm pools of every started server that is attached somewhere and synced. Each keeps its
 * `pool` setting's containers (default 1) started and initialized, more while calls come faster
 * than containers start, and shrinks back after `idleMs` without such a surge. All pools together
 * stay within `maxContainers` and `maxMemoryMb`. Pools follow the catalog through `refresh()`;
 * one whose launch (image, command, config vars, settings) changed is drained and started anew.
 * The owner calls `close()`.
 */
export class WarmPools {
  private readonly pools = new Map<string, PoolEntry>();
  private readonly draining = new Set<Promise<void>>();
  private readonly limits: WarmPoolLimits;
  private readonly budget: WarmBudget;
  private readonly resizer: NodeJS.Timeout;
  private refilling = false;
  private closed = false;

  constructor(
    private readonly catalog: Catalog,
    private readonly sandbox: () => Sandbox,
    private readonly initTimeoutMs: number,
    private readonly onError: (server: ServerRow, error: unknown) => void,
    limits: Partial<WarmPoolLimits> = {},
  ) {
    this.limits = { ...defaultWarmPoolLimits, ...limits };
    for (const [name, value] of Object.entries(this.limits)) {
      if (!Number.isInteger(value) || value < (name === 'idleMs' ? 1 : 0)) throw new Error(`warm pool limit ${name} is out of range: ${value}`);
    }
    this.budget = {
      admit: (memoryMb) => {
        const pools = [...this.pools.values()].map((p) => p.pool);
        const containers = pools.reduce((sum, pool) => sum + pool.size, 0);
        const memory = pools.reduce((sum, pool) => sum + pool.size * pool.memoryMb, 0);
        return containers < this.limits.maxContainers && memory + memoryMb <= this.limits.maxMemoryMb;
      },
      freed: () => this.refillSoon(),
    };
    this.resizer = setInterval(() => this.resize(), Math.min(resizeEveryMs, Math.max(100, this.limits.idleMs / 2)));
    this.resizer.unref();
  }

  /** A warm session for this server's next call, if one is ready; the call counts toward demand. */
  take(server: ServerRow): WarmSession | undefined {
    const entry = this.current(server);
    if (!entry) return undefined;
    const now = performance.now();
    entry.demand.record(now, entry.pool.openMs ?? assumedOpenMs);
    // Taken first: a warm call holds the pool's growth back until it is over; a cold one does not.
    const warm = entry.pool.take();
    entry.pool.setTarget(this.targetOf(entry, now));
    if (!warm) entry.pool.fill(undefined, true);
    return warm;
  }

  /** For a call `take()` had nothing for: the next warm session still starting, if one is not promised yet. */
  next(server: ServerRow, signal: AbortSignal): Promise<WarmSession | undefined> | undefined {
    return this.current(server)?.pool.next(signal);
  }

  /** The server's pool, unless it was started from another launch than the server's now. */
  private current(server: ServerRow): PoolEntry | undefined {
    const entry = this.pools.get(server.id);
    return entry && entry.pool.key === keyOf(this.catalog, server) ? entry : undefined;
  }

  /** Starts, keeps or drains pools to match the catalog. */
  refresh(): void {
    if (this.closed) return;
    const wanted = new Map<string, { server: ServerRow; key: string }>();
    for (const server of this.catalog.servers.list()) {
      const attached = this.catalog.models.resourceNamesOf(server.app_id).length > 0;
      if (server.server_status === 'registered' && server.primitives_status === 'synced' && attached && server.settings.pool > 0) {
        wanted.set(server.id, { server, key: keyOf(this.catalog, server) });
      }
    }
    for (const [id, { pool }] of this.pools) {
      if (pool.key !== wanted.get(id)?.key) {
        this.pools.delete(id);
        const drained: Promise<void> = pool.drain().finally(() => this.draining.delete(drained));
        this.draining.add(drained);
      }
    }
    for (const [id, { server, key }] of wanted) {
      if (this.pools.has(id)) continue;
      const base = server.settings.pool;
      const pool = new WarmPool({
        key,
        target: base,
        memoryMb: server.settings.memory_mb,
        open: (signal) => this.open(server, signal),
        budget: this.budget,
        onError: (error) => this.onError(server, error),
      });
      this.pools.set(id, { pool, base, demand: new PoolDemand(this.limits.idleMs) });
    }
    this.refill();
  }

  /** Settles when every pool that `refresh()` let go has drained. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.draining]);
  }

  /** How many warm sessions wait for each server, by server id. */
  readiness(): Record<string, number> {
    return Object.fromEntries([...this.pools].map(([id, { pool }]) => [id, pool.readyCount]));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.resizer);
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all([...pools.map(({ pool }) => pool.drain()), this.settled()]);
  }

  /** The pool a server needs now: its base, or more while a surge of calls is remembered. */
  private targetOf(entry: { base: number; demand: PoolDemand }, now: number): number {
    return Math.max(entry.base, Math.min(entry.demand.level(now), this.limits.maxContainers));
  }

  /** Shrinks pools whose surge is over (and grows any whose demand is still remembered). */
  private resize(): void {
    const now = performance.now();
    for (const entry of this.pools.values()) entry.pool.setTarget(this.targetOf(entry, now));
  }

  /**
   * Fills every pool as far as the caps allow: first each up to its base, so that one server's
   * surge never takes the last warm container another server is configured to keep.
   */
  private refill(): void {
    if (this.closed) return;
    for (const { pool, base } of this.pools.values()) pool.fill(base);
    for (const { pool } of this.pools.values()) pool.fill();
  }

  private refillSoon(): void {
    if (this.refilling || this.closed) return;
    this.refilling = true;
    queueMicrotask(() => {
      this.refilling = false;
      this.refill();
    });
  }

  private async open(server: ServerRow, signal: AbortSignal): Promise<WarmSession> {
    const proc = await this.sandbox().launch(launchOf(this.catalog, server, 'pool'), signal);
    const startedAt = performance.now();
    try {
      const session = await openSession(proc, {
        label: `${server.app_name}/${server.process_type}`,
        initTimeoutMs: this.initTimeoutMs,
        signal,
      });
      await this.warmUp(server, session, signal);
      return { proc, session, startedAt };
    } catch (error) {
      await proc.dispose();
      throw error;
    }
  }

  /**
   * Asks a fresh server for a tool it does not have. A server process answers its first call
   * several times slower than the next (its call path is compiled on first use); a warm session
   * serves exactly one call, so that first-call cost is paid here, ahead of time. The answer is
   * an error by design, and ignored.
   */
  private async warmUp(server: ServerRow, session: WarmSession['session'], signal: AbortSignal): Promise<void> {
    const names = new Set(this.catalog.servers.tools(server.id).map((tool) => tool.name));
    let probe = warmUpTool;
    while (names.has(probe)) probe += '_';
    await session.callTool(probe, {}, { timeout: warmUpTimeoutMs, signal }).catch(() => undefined);
    signal.throwIfAborted();
  }
}

/** A server's pool, its configured size, and the demand it has seen. */
interface PoolEntry {
  pool: WarmPool;
  base: number;
  demand: PoolDemand;
}

function keyOf(catalog: Catalog, server: ServerRow): string {
  return JSON.stringify(launchOf(catalog, server, 'pool'));
}
