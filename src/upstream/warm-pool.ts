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
  private starting = 0;
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
    while (!this.drained && !this.retryTimer && this.ready.length + this.starting < this.size) {
      this.starting++;
      void this.open().then(
        (warm) => {
          this.starting--;
          if (this.drained) return void dispose(warm);
          this.ready.push(warm);
          void warm.proc.exited.then(() => this.drop(warm));
        },
        (error: unknown) => {
          this.starting--;
          this.onError(error);
          // Back off: a server that cannot start should not be restarted in a tight loop.
          this.retryTimer = setTimeout(() => {
            this.retryTimer = undefined;
            this.fill();
          }, retryAfterFailureMs);
          this.retryTimer.unref();
        },
      );
    }
  }

  async drain(): Promise<void> {
    this.drained = true;
    clearTimeout(this.retryTimer);
    await Promise.all(this.ready.splice(0).map(dispose));
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
