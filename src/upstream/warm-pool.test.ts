import { describe, expect, it } from 'vitest';
import type { SandboxProcess } from '../sandbox/sandbox.js';
import type { UpstreamSession } from './upstream-session.js';
import { WarmPool, type WarmSession } from './warm-pool.js';

/** A pool whose sessions open when the test says: `opens[i].up()` or `.fail()`; at most `cap` at once. */
function poolOf(target: number, cap = Infinity) {
  const opens: { session: WarmSession; up: () => void; fail: () => void }[] = [];
  const disposed: WarmSession[] = [];
  const pool: WarmPool = new WarmPool({
    key: 'k',
    target,
    memoryMb: 512,
    budget: { admit: (): boolean => pool.size < cap, freed: () => undefined },
    open: () =>
      new Promise<WarmSession>((resolve, reject) => {
        let exit!: () => void;
        const exited = new Promise<{ code: number | null; signal: null }>((r) => (exit = () => r({ code: 0, signal: null })));
        const session: WarmSession = {
          proc: {
            exited,
            dispose: () => {
              disposed.push(session);
              exit();
              return exited;
            },
          } as unknown as SandboxProcess,
          session: { close: () => Promise.resolve() } as unknown as UpstreamSession,
          startedAt: performance.now(),
        };
        opens.push({ session, up: () => resolve(session), fail: () => reject(new Error('did not start')) });
      }),
  });
  return { pool, opens, disposed };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('WarmPool.next', () => {
  it('hands each call that found none ready a session already starting, oldest call first', async () => {
    const { pool, opens } = poolOf(2, 4);
    pool.fill();
    expect(opens).toHaveLength(2);
    const signal = new AbortController().signal;
    const first = pool.next(signal);
    const second = pool.next(signal);
    // Two start already, one for each: nothing more starts while they wait.
    expect(opens).toHaveLength(2);
    opens[1]!.up();
    opens[0]!.up();
    expect(await first).toBe(opens[1]!.session);
    expect(await second).toBe(opens[0]!.session);
    // Both served: the pool fills to its target again.
    expect(opens).toHaveLength(4);
    opens[2]!.up();
    opens[3]!.up();
    await turn();
    expect(pool.readyCount).toBe(2);
    pool.setTarget(1);
    expect(pool.readyCount).toBe(1);
  });

  it('while calls wait, starts one session per waiting call and none for growth; grows once they are served', async () => {
    const { pool, opens } = poolOf(1, 8);
    pool.fill();
    const signal = new AbortController().signal;
    const first = pool.next(signal);
    const second = pool.next(signal);
    pool.setTarget(4);
    // A burst raised the target, but the two waiting calls' containers start alone.
    expect(opens).toHaveLength(2);
    opens[0]!.up();
    expect(await first).toBe(opens[0]!.session);
    expect(opens).toHaveLength(2);
    opens[1]!.up();
    expect(await second).toBe(opens[1]!.session);
    expect(opens).toHaveLength(6);
    for (const open of opens.slice(2)) open.up();
    await turn();
    expect(pool.readyCount).toBe(4);
  });

  it('sends a call to start its own container when the caps allow no more', () => {
    const { pool, opens } = poolOf(1, 2);
    pool.fill();
    const signal = new AbortController().signal;
    expect(pool.next(signal)).toBeInstanceOf(Promise);
    expect(pool.next(signal)).toBeInstanceOf(Promise);
    expect(opens).toHaveLength(2);
    expect(pool.next(signal)).toBeUndefined();
  });

  it('starts a session for a call that found none ready and none starting', async () => {
    const { pool, opens } = poolOf(1, 2);
    pool.fill();
    opens[0]!.up();
    await turn();
    expect(pool.take()).toBe(opens[0]!.session);
    // The next call finds none ready: the pool starts one (the taken one's call still runs), which that call waits for.
    expect(pool.take()).toBeUndefined();
    const waiting = pool.next(new AbortController().signal);
    expect(opens).toHaveLength(2);
    opens[1]!.up();
    expect(await waiting).toBe(opens[1]!.session);
    await turn();
    expect(pool.readyCount).toBe(0);
  });

  it('settles undefined when the session it waits for fails to start', async () => {
    const { pool, opens } = poolOf(1);
    pool.fill();
    const waiting = pool.next(new AbortController().signal);
    opens[0]!.fail();
    expect(await waiting).toBeUndefined();
    // Backing off after a failed start: the next call starts its own.
    expect(pool.next(new AbortController().signal)).toBeUndefined();
    expect(opens).toHaveLength(1);
    await pool.drain();
  });

  it('lets a call that gives up go; the session then waits ready for the next call', async () => {
    const { pool, opens } = poolOf(1);
    pool.fill();
    const abort = new AbortController();
    const waiting = pool.next(abort.signal);
    abort.abort();
    expect(await waiting).toBeUndefined();
    opens[0]!.up();
    await turn();
    expect(pool.readyCount).toBe(1);
    expect(pool.take()).toBe(opens[0]!.session);
  });

  it('grows once the last waiting call gives up, as once it is served', () => {
    const { pool, opens } = poolOf(1, 8);
    pool.fill();
    const abort = new AbortController();
    void pool.next(abort.signal);
    pool.setTarget(3);
    expect(opens).toHaveLength(1);
    abort.abort();
    expect(opens).toHaveLength(3);
  });

  it('while it backs off after a failed start, still hands out a session starting that nobody waits for', async () => {
    const { pool, opens } = poolOf(2);
    pool.fill();
    opens[0]!.fail();
    await turn();
    const waiting = pool.next(new AbortController().signal);
    expect(waiting).toBeInstanceOf(Promise);
    expect(pool.next(new AbortController().signal)).toBeUndefined();
    opens[1]!.up();
    expect(await waiting).toBe(opens[1]!.session);
    await pool.drain();
  });

  it('settles every waiting call when the pool is drained, and disposes what comes up after', async () => {
    const { pool, opens, disposed } = poolOf(1);
    pool.fill();
    const waiting = pool.next(new AbortController().signal);
    const drained = pool.drain();
    expect(await waiting).toBeUndefined();
    for (const open of opens) open.up();
    await drained;
    expect(disposed).toEqual(opens.map((o) => o.session));
    expect(pool.next(new AbortController().signal)).toBeUndefined();
  });
});
