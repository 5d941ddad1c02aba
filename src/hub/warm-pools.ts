import type { Catalog } from '../catalog/catalog.js';
import type { ServerRow } from '../catalog/servers-repository.js';
import type { Sandbox } from '../sandbox/sandbox.js';

import { WarmPool, type WarmSession } from '../upstream/warm-pool.js';
import { launchOf, openSession } from './launch.js';

/**
 * The warm pools of every started server that is attached somewhere and synced: `pool` containers
 * each, started and initialized ahead of time. Pools follow the catalog through `refresh()`; one
 * whose launch (image, command, config vars, settings) changed is drained and started anew.
 */
export class WarmPools {
  private readonly pools = new Map<string, WarmPool>();
  private readonly draining = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly catalog: Catalog,
    private readonly sandbox: () => Sandbox,
    private readonly initTimeoutMs: number,
    private readonly onError: (server: ServerRow, error: unknown) => void,
  ) {}

  /** A warm session for this server's next call, if one is ready. */
  take(server: ServerRow): WarmSession | undefined {
    const pool = this.pools.get(server.id);
    if (!pool || pool.key !== keyOf(this.catalog, server)) return undefined;
    return pool.take();
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
    for (const [id, pool] of this.pools) {
      if (pool.key !== wanted.get(id)?.key) {
        this.pools.delete(id);
        const drained: Promise<void> = pool.drain().finally(() => this.draining.delete(drained));
        this.draining.add(drained);
      }
    }
    for (const [id, { server, key }] of wanted) {
      if (this.pools.has(id)) continue;
      const pool = new WarmPool(key, server.settings.pool, () => this.open(server), (error) =>
        this.onError(server, error),
      );
      this.pools.set(id, pool);
      pool.fill();
    }
  }

  /** Settles when every pool that `refresh()` let go has drained. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.draining]);
  }

  /** How many warm sessions wait for each server, by server id. */
  readiness(): Record<string, number> {
    return Object.fromEntries([...this.pools].map(([id, pool]) => [id, pool.readyCount]));
  }

  async close(): Promise<void> {
    this.closed = true;
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all([...pools.map((pool) => pool.drain()), this.settled()]);
  }

  private async open(server: ServerRow): Promise<WarmSession> {
    const proc = await this.sandbox().launch(launchOf(this.catalog, server, 'pool'));
    try {
      const session = await openSession(proc, {
        label: `${server.app_name}/${server.process_type}`,
        initTimeoutMs: this.initTimeoutMs,
      });
      return { proc, session };
    } catch (error) {
      await proc.dispose();
      throw error;
    }
  }
}

function keyOf(catalog: Catalog, server: ServerRow): string {
  return JSON.stringify(launchOf(catalog, server, 'pool'));
}
