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
        };
        opens.push({ session, up: () => resolve(session), fail: () => reject(new Error('did not start')) });
      }),
  });
  return { pool, opens, disposed };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('WarmPool.next', () => {
  it('hands each call that found none ready the next session still starting, and starts one in its place', async () => {
    const { pool, opens } = poolOf(2, 4);
    pool.fill();
    expect(opens).toHaveLength(2);
    const signal = new AbortController().signal;
    const first = pool.next(signal);
    const second = pool.next(signal);
    // Sessions promised to calls do not count toward the target: two more start, up to the cap.
    expect(opens).toHaveLength(4);
    opens[1]!.up();
    opens[0]!.up();
    expect(await first).toBe(opens[1]!.session);
    expect(await second).toBe(opens[0]!.session);
    opens[2]!.up();
    opens[3]!.up();
    await turn();
    // The target's two wait ready; a lower target trims them.
    expect(pool.readyCount).toBe(2);
    pool.setTarget(1);
    expect(pool.readyCount).toBe(1);
  });

  it('sends a call to start its own container when every starting session is promised', () => {
    const { pool, opens } = poolOf(1, 2);
    pool.fill();
    const signal = new AbortController().signal;
    expect(pool.next(signal)).toBeInstanceOf(Promise);
    expect(pool.next(signal)).toBeInstanceOf(Promise);
    expect(opens).toHaveLength(2);
    expect(pool.next(signal)).toBeUndefined();
  });

  it('gives the first session to come up to the waiting call, and keeps the next one ready', async () => {
    const { pool, opens } = poolOf(1, 2);
    pool.fill();
    opens[0]!.up();
    await turn();
    expect(pool.take()).toBe(opens[0]!.session);
    // The next call finds none ready: the pool starts one, which that call waits for, and one more.
    expect(pool.take()).toBeUndefined();
    const waiting = pool.next(new AbortController().signal);
    expect(opens).toHaveLength(3);
    opens[2]!.up();
    expect(await waiting).toBe(opens[2]!.session);
    opens[1]!.up();
    await turn();
    expect(pool.readyCount).toBe(1);
    pool.setTarget(1);
    expect(pool.readyCount).toBe(1);
  });

  it('settles undefined when the session it waits for fails to start', async () => {
    const { pool, opens } = poolOf(1);
    pool.fill();
    const waiting = pool.next(new AbortController().signal);
    opens[0]!.fail();
    expect(await waiting).toBeUndefined();
    opens[1]!.up();
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
