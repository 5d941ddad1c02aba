import type { ServerRow } from '../catalog/servers-repository.js';
import type { SandboxProcess } from '../sandbox/sandbox.js';
import type { UpstreamSession } from '../upstream/upstream-session.js';

/** One client session's container of one session-lifetime server. */
export interface HeldServer {
  clientSession: string;
  server: ServerRow;
  /** What it was started from (image, command, config, mounts): a change ends it. */
  key: string;
  proc: SandboxProcess;
  session: UpstreamSession;
  /** Whether it had served a request before the current one (or came warm from the pool). */
  warm: boolean;
  /** When its container had started (`performance.now()`). */
  startedAt: number;
}

interface Entry {
  held: Promise<HeldServer>;
  busy: number;
  idle: NodeJS.Timeout | undefined;
}

/** What a client session hears from its containers between calls. */
export interface SessionListener {
  resourceUpdated?(params: { uri: string }): void;
}

/**
 * The containers of session-lifetime servers (`"lifetime": "session"`): one per client session (a
 * toolkit session, an agent run) and server, reused for that session's requests, ended with the
 * session, after the server's `idle_seconds` without a request, or when the hub stops. Owns them all.
 */
export class SessionServers {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Map<string, SessionListener>();
  private closed = false;

  constructor(
    /** Starts and initializes a container for a client session, warm from the pool where one waits. */
    private readonly start: (server: ServerRow, clientSession: string) => Promise<Omit<HeldServer, 'clientSession' | 'server'>>,
  ) {}

  /**
   * Ends the containers whose server changed since they started (a rebuild, new config vars or
   * folders, a stop) or is gone; `keyOf` gives a server's current key, undefined when it must not run.
   */
  refresh(keyOf: (serverId: string) => string | undefined): void {
    for (const [key, entry] of this.entries) {
      void entry.held.then(
        (held) => {
          if (keyOf(held.server.id) !== held.key) void this.end(key);
        },
        () => undefined,
      );
    }
  }

  get size(): number {
    return this.entries.size;
  }

  /** How many containers are held, per server id. */
  counts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const key of this.entries.keys()) {
      const serverId = key.slice(key.indexOf('\0') + 1);
      counts[serverId] = (counts[serverId] ?? 0) + 1;
    }
    return counts;
  }

  /** Where a client session's notifications go (resource updates); returns the function that stops it. */
  listen(clientSession: string, listener: SessionListener): () => void {
    this.listeners.set(clientSession, listener);
    return () => this.listeners.delete(clientSession);
  }

  /**
   * Runs `work` on the client session's container of this server, starting one if it has none.
   * A failed request that leaves the server unusable (`drop` set by `work`) ends the container.
   */
  async use<T>(clientSession: string, server: ServerRow, work: (held: HeldServer) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('the hub is stopping');
    const key = `${clientSession}\0${server.id}`;
    let entry = this.entries.get(key);
    if (entry && (await entry.held.then((h) => h.session.closed, () => true))) {
      this.end(key);
      entry = undefined;
    }
    if (!entry) {
      const held = this.open(clientSession, server);
      entry = { held, busy: 0, idle: undefined };
      this.entries.set(key, entry);
      held.catch(() => this.entries.get(key) === entry && this.entries.delete(key));
    }
    const current = entry;
    current.busy++;
    clearTimeout(current.idle);
    const held = await current.held;
    try {
      return await work(held);
    } finally {
      held.warm = true;
      current.busy--;
      if (current.busy === 0 && this.entries.get(key) === current) {
        current.idle = setTimeout(() => this.end(key), server.settings.idle_seconds * 1000);
        current.idle.unref();
      }
    }
  }

  /** Ends one container now: its server was killed at ttl_seconds, or failed. */
  drop(clientSession: string, server: ServerRow): void {
    this.end(`${clientSession}\0${server.id}`);
  }

  /** Ends every container of a client session. */
  async endSession(clientSession: string): Promise<void> {
    this.listeners.delete(clientSession);
    await Promise.all([...this.entries.keys()].filter((key) => key.startsWith(`${clientSession}\0`)).map((key) => this.end(key)));
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.entries.keys()].map((key) => this.end(key)));
  }

  private async open(clientSession: string, server: ServerRow): Promise<HeldServer> {
    const started = await this.start(server, clientSession);
    started.session.onResourceUpdated = (params) => this.listeners.get(clientSession)?.resourceUpdated?.(params);
    return { clientSession, server, ...started };
  }

  private async end(key: string): Promise<void> {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    clearTimeout(entry.idle);
    const held = await entry.held.catch(() => undefined);
    if (!held) return;
    await held.session.close();
    await held.proc.dispose();
  }
}
