import { performance } from 'node:perf_hooks';
import type { SandboxProcess } from '../sandbox/sandbox.js';
import type { UpstreamSession } from './upstream-session.js';

/** A server started and MCP-initialized ahead of time, for exactly one call. */
export interface WarmSession {
  proc: SandboxProcess;
  session: UpstreamSession;
  /** When its container had started (`performance.now()`): a call's timings begin its init there. */
  startedAt: number;
}

/** The hub-wide caps a pool asks before it starts one more warm container. */
export interface WarmBudget {
  /** Whether one more warm container with this memory limit fits under the caps now. */
  admit(memoryMb: number): boolean;
  /** Called when this pool holds fewer warm containers than before: another pool may start one. */
  freed(): void;
}

export interface WarmPoolOptions {
  /** What the sessions were started from: a pool whose key no longer matches is replaced. */
  key: string;
  /** Warm containers to keep: the server's `pool` setting, or more while demand is high. */
  target: number;
  /** The memory limit of each container, counted against the hub's cap. */
  memoryMb: number;
  /** Starts and initializes one session; `signal` fires when the pool is drained meanwhile. */
  open: (signal: AbortSignal) => Promise<WarmSession>;
  budget: WarmBudget;
  onError?: (error: unknown) => void;
}

const retryAfterFailureMs = 5000;
/** A replacement waits for the server it replaces to be gone, but no longer than this. */
const replaceAfterMs = 1000;

/**
 * Keeps up to a target number of warm sessions of one server. Each is handed out once and never
 * returns. Its replacement starts once the call is over (the container it used is gone), so
 * starting it does not compete with the call for the CPU. A session whose server dies while
 * waiting is dropped. The owner calls `drain()`, which disposes every waiting session.
 */
export class WarmPool {
  readonly key: string;
  readonly memoryMb: number;
  private target: number;
  private readonly ready: WarmSession[] = [];
  private readonly starting = new Set<Promise<unknown>>();
  /** Calls running on sessions taken from this pool: filling waits for them. */
  private owed = 0;
  private drained = false;
  /** One per session still starting, aborted when the pool is drained: nobody waits for them to come up. */
  private readonly openings = new Set<AbortController>();
  private retryTimer: NodeJS.Timeout | undefined;
  private averageOpenMs: number | undefined;
  /** Calls waiting for a session still starting, oldest first: each gets the next one that comes up. */
  private readonly waiters: ((warm: WarmSession | undefined) => void)[] = [];

  constructor(private readonly options: WarmPoolOptions) {
    this.key = options.key;
    this.memoryMb = options.memoryMb;
    this.target = options.target;
  }

  get readyCount(): number {
    return this.ready.length;
  }

  /** Warm containers that are up or on their way: what counts against the hub's caps. */
  get size(): number {
    return this.ready.length + this.starting.size;
  }

  /** How long a warm session has taken to open, on average (undefined before the first). */
  get openMs(): number | undefined {
    return this.averageOpenMs;
  }

  /**
   * A warm session, if one is ready: its replacement (and any growth) starts once its call is over.
   * Without one the call runs cold, and the pool fills at once: calls are coming faster than it.
   */
  take(): WarmSession | undefined {
    const warm = this.ready.shift();
    if (!warm) {
      this.fill(this.target, true);
      return undefined;
    }
    this.owe(warm);
    this.options.budget.freed();
    return warm;
  }

  /**
   * For a call that found no session ready: a session the pool is starting, or starts, for it.
   * Waiting calls come before growth: while any waits, the pool starts one session per waiting
   * call and nothing more, so that their containers do not share the CPU with ones nobody waits
   * for yet; it grows once they are served. Undefined when the pool is drained, or when no session
   * nobody waits for is starting and the pool may not start one (it is backing off after a failed
   * start, or at the hub's caps): the call then starts its own container. The promise
   * settles undefined if the session it waits for fails, the pool is drained, or `signal` fires.
   * The session is the caller's, as from `take()`.
   */
  next(signal: AbortSignal): Promise<WarmSession | undefined> | undefined {
    if (this.drained || signal.aborted) return undefined;
    // One that nobody waits for yet is starting, or the pool may start one.
    const unclaimed = this.starting.size > this.waiters.length;
    if (!unclaimed && (this.retryTimer || !this.options.budget.admit(this.memoryMb))) return undefined;
    const promised = new Promise<WarmSession | undefined>((resolve) => {
      const waiter = (warm: WarmSession | undefined) => {
        signal.removeEventListener('abort', gaveUp);
        resolve(warm);
      };
      const gaveUp = () => {
        const index = this.waiters.indexOf(waiter);
        if (index !== -1) this.waiters.splice(index, 1);
        resolve(undefined);
        if (this.waiters.length === 0) this.fill();
      };
      signal.addEventListener('abort', gaveUp, { once: true });
      this.waiters.push(waiter);
    });
    this.fill(this.target, true);
    return promised;
  }

  /** Grows or shrinks the pool; a smaller target disposes the sessions past it at once. */
  setTarget(target: number): void {
    this.target = target;
    let trimmed = false;
    while (this.size - this.waiters.length > target && this.ready.length > 0) {
      void dispose(this.ready.shift()!);
      trimmed = true;
    }
    if (trimmed) this.options.budget.freed();
    this.fill();
  }

  /**
   * Starts sessions up to the target (or `upTo`, if lower), as far as the hub's caps allow; while
   * calls wait, only theirs. While a call that took a warm session runs, nothing starts (it would
   * compete with that call for the CPU) unless `now`.
   */
  fill(upTo = this.target, now = false): void {
    if (this.owed > 0 && !now && this.waiters.length === 0) return;
    const limit = this.waiters.length > 0 ? this.waiters.length : Math.min(upTo, this.target);
    while (!this.drained && !this.retryTimer && this.size < limit && this.options.budget.admit(this.memoryMb)) {
      this.startOne();
    }
  }

  /** Disposes every waiting session, and cuts short those still starting. */
  async drain(): Promise<void> {
    this.drained = true;
    for (const opening of this.openings) opening.abort();
    clearTimeout(this.retryTimer);
    const waiting = this.ready.splice(0);
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
    this.options.budget.freed();
    await Promise.all([...waiting.map(dispose), ...this.starting]);
  }

  private startOne(): void {
    const began = performance.now();
    // A signal of its own: listeners of a finished start must not pile up on one the pool keeps.
    const abort = new AbortController();
    this.openings.add(abort);
    const opening: Promise<unknown> = this.options.open(abort.signal).finally(() => this.openings.delete(abort)).then(
      (warm) => {
        this.starting.delete(opening);
        if (this.drained) return dispose(warm);
        const took = performance.now() - began;
        this.averageOpenMs = this.averageOpenMs === undefined ? took : 0.7 * this.averageOpenMs + 0.3 * took;
        const waiter = this.waiters.shift();
        if (waiter) {
          waiter(warm);
          // The last waiting call is served: the pool may grow now.
          if (this.waiters.length === 0) this.fill();
          return;
        }
        this.ready.push(warm);
        void warm.proc.exited.then(() => this.drop(warm));
      },
      (error: unknown) => {
        this.starting.delete(opening);
        this.options.budget.freed();
        // The call that waited for this one starts a container of its own.
        this.waiters.shift()?.(undefined);
        if (this.drained) return;
        this.options.onError?.(error);
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

  /** Holds back filling until `taken`'s call is over (its server is gone), then fills. */
  private owe(taken: WarmSession): void {
    this.owed++;
    let paid = false;
    const pay = () => {
      if (paid) return;
      paid = true;
      clearTimeout(timer);
      this.owed--;
      this.fill();
    };
    const timer = setTimeout(pay, replaceAfterMs);
    timer.unref();
    void taken.proc.exited.then(pay);
  }

  private drop(warm: WarmSession): void {
    const index = this.ready.indexOf(warm);
    if (index === -1) return;
    this.ready.splice(index, 1);
    void dispose(warm);
    this.options.budget.freed();
    this.fill();
  }
}

async function dispose(warm: WarmSession): Promise<void> {
  await warm.session.close();
  await warm.proc.dispose();
}
