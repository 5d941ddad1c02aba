import type { SandboxProcess } from '../sandbox/sandbox.js';
import type { UpstreamSession } from './upstream-session.js';

/** A server started and MCP-initialized ahead of time, for exactly one call. */
export interface WarmSession {
  proc: SandboxProcess;
  session: UpstreamSession;
}

const retryAfterFailureMs = 5000;

/**
 * Keeps up to `size` warm sessions of one server. Each is handed out once and never returns; the
 * pool refills in the background. A session whose server dies while waiting is dropped. The owner
 * calls `drain()`, which disposes every waiting session.
 */
export class WarmPool {
  private readonly ready: WarmSession[] = [];
  private readonly starting = new Set<Promise<unknown>>();
  private drained = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    /** What the sessions were started from: a pool whose key no longer matches is replaced. */
    readonly key: string,
    private readonly size: number,
    private readonly open: () => Promise<WarmSession>,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  get readyCount(): number {
    return this.ready.length;
  }

  /** A warm session, if one is ready; starts a replacement either way. */
  take(): WarmSession | undefined {
    const warm = this.ready.shift();
    this.fill();
    return warm;
  }

  fill(): void {
    while (!this.drained && !this.retryTimer && this.ready.length + this.starting.size < this.size) {
      const opening: Promise<unknown> = this.open().then(
        (warm) => {
          this.starting.delete(opening);
          if (this.drained) return dispose(warm);
          this.ready.push(warm);
          void warm.proc.exited.then(() => this.drop(warm));
        },
        (error: unknown) => {
          this.starting.delete(opening);
          if (this.drained) return;
          this.onError(error);
          // Back off: a server that cannot start should not be restarted in a tight loop.
          this.retryTimer = setTimeout(() => {
            this.retryTimer = undefined;
            this.fill();
          }, retryAfterFailureMs);
          this.retryTimer.unref();
        },
      );
      this.starting.add(opening);
    }
  }

  /** Disposes every waiting session, and those still starting once they are up. */
  async drain(): Promise<void> {
    this.drained = true;
    clearTimeout(this.retryTimer);
    await Promise.all([...this.ready.splice(0).map(dispose), ...this.starting]);
  }

  private drop(warm: WarmSession): void {
    const index = this.ready.indexOf(warm);
    if (index === -1) return;
    this.ready.splice(index, 1);
    void dispose(warm);
    this.fill();
  }
}

async function dispose(warm: WarmSession): Promise<void> {
  await warm.session.close();
  await warm.proc.dispose();
}
