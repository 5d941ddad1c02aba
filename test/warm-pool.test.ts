import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hub } from '../src/hub/hub.js';
import { DockerSandbox } from '../src/sandbox/docker-sandbox.js';
import { containersOf, dockerEngine, testNodeImage } from './docker.js';
import { cleanupTempDirs, makeFixtureApp, tempDir } from './helpers.js';

const docker = await dockerEngine();

const baseImages = { node: testNodeImage, python: 'python:3.12-slim', ruby: 'ruby:3.3-slim', go: 'golang:1.23' };

async function until(check: () => Promise<boolean> | boolean, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(!docker)('the warm pool', () => {
  let hub: Hub;
  let home: string;
  let serverId: string;
  const homeLabel = () => `procdock.home=${createHash('sha256').update(home).digest('hex').slice(0, 12)}`;
  /** What each container this hub's sandbox launched was for: `pool`, `call`, `sync`, … */
  const launchedFor: string[] = [];
  const poolContainers = async () =>
    (await containersOf(docker!, homeLabel())).filter((c) => c.Labels['procdock.call'] === 'pool' && c.State === 'running');

  beforeAll(async () => {
    home = tempDir();
    const sandbox = new DockerSandbox({ dataDir: home, baseImages });
    const launch = sandbox.launch.bind(sandbox);
    sandbox.launch = (spec, signal) => {
      launchedFor.push(spec.purpose);
      return launch(spec, signal);
    };
    hub = new Hub({ dataDir: home, sandbox, warmPools: true });
    await hub.start();
    const app = makeFixtureApp('mcp-probe: node probe.mjs\n', ['probe.mjs'], {}, 'warm');
    await hub.run('apps.add', { path: app });
    serverId = (await hub.run('servers.list', {}))[0]!.id;
  });

  afterAll(async () => {
    if (docker) {
      await hub.close();
      expect(await containersOf(docker!, homeLabel())).toEqual([]);
    }
    cleanupTempDirs();
  });

  it('keeps one started, initialized container per started server', async () => {
    await until(() => hub.pools!.readiness()[serverId] === 1, 'a warm container');
    expect(await poolContainers()).toHaveLength(1);
  });

  it('serves a call from the pool, once per container, and refills in the background', async () => {
    const [warmBefore] = await poolContainers();
    const first = await hub.run('call', { tool: 'slow', args: { ms: 1 } });
    expect(first.call).toMatchObject({ warm: true, container_id: warmBefore!.Id });
    // Its container had started and its server initialized before the call: neither is the call's time.
    expect(first.call.timings?.start_ms).toBe(0);
    await until(() => hub.pools!.readiness()[serverId] === 1, 'the refill');
    const second = await hub.run('call', { tool: 'slow', args: { ms: 1 } });
    expect(second.call.warm).toBe(true);
    expect(second.call.container_id).not.toBe(first.call.container_id);
    await hub.runner.drain();
    const ids = (await containersOf(docker!, homeLabel())).map((c) => c.Id);
    expect(ids).not.toContain(first.call.container_id);
    expect(ids).not.toContain(second.call.container_id);
  });

  it('falls back to a cold container when the pool is empty', async () => {
    await until(() => hub.pools!.readiness()[serverId] === 1, 'a warm container');
    launchedFor.length = 0;
    const calls = await Promise.all([1, 2, 3].map(() => hub.run('call', { tool: 'slow', args: { ms: 200 } })));
    expect(calls.filter((c) => c.call.warm)).toHaveLength(1);
    expect(calls.filter((c) => !c.call.warm)).toHaveLength(2);
    // A call that waited for a starting container shows its server's start-up as init, not as container start.
    for (const { call } of calls.filter((c) => !c.call.warm)) {
      const { start_ms = 0, init_ms = 0, total_ms = 0 } = call.timings ?? {};
      expect(init_ms, JSON.stringify(call.timings)).toBeGreaterThan(10);
      expect(start_ms + init_ms).toBeLessThanOrEqual(total_ms);
    }
    // The two cold calls took containers the pool was already starting, and it started others in their place.
    expect(launchedFor).not.toContain('call');
    expect(launchedFor.filter((purpose) => purpose === 'pool').length).toBeGreaterThanOrEqual(2);
  });

  it('grows with demand: the next burst of the same size is served warm', async () => {
    // At least the burst: calls just before it may count toward the same surge.
    await until(() => hub.pools!.readiness()[serverId]! >= 3, 'the pool to grow to the size of the burst', 60_000);
    const calls = await Promise.all([1, 2, 3].map(() => hub.run('call', { tool: 'slow', args: { ms: 200 } })));
    expect(calls.map((c) => c.call.warm)).toEqual([true, true, true]);
  });

  it('starts anew when the config vars change, so calls see them', async () => {
    await until(() => hub.pools!.readiness()[serverId]! >= 1, 'a warm container');
    const [old] = await poolContainers();
    await hub.run('config.set', { app: 'warm', vars: { FRESH: 'yes' } });
    const { result, call } = await hub.run('call', { tool: 'env', args: {} });
    expect(JSON.parse((result.content[0] as { text: string }).text)).toContain('FRESH');
    expect(call.container_id).not.toBe(old!.Id);
  });

  it('refuses calls to a stopped server and drains its pool; start brings it back', async () => {
    const stopped = await hub.run('servers.stop', { app: 'warm', process: 'mcp-probe' });
    expect(stopped.server_status).toBe('disconnected');
    await expect(hub.run('call', { tool: 'slow', args: {} })).rejects.toThrow('server warm/mcp-probe is stopped: start it first');
    await until(async () => (await poolContainers()).length === 0, 'the pool to drain');
    await hub.run('servers.start', { app: 'warm', process: 'mcp-probe' });
    await until(() => hub.pools!.readiness()[serverId] === 1, 'the pool to come back');
  });
});

describe.skipIf(!docker)('the warm pools under hub-wide caps', () => {
  let hub: Hub;
  let home: string;
  let serverId: string;
  const poolContainers = async () =>
    (await containersOf(docker!, `procdock.home=${createHash('sha256').update(home).digest('hex').slice(0, 12)}`)).filter(
      (c) => c.Labels['procdock.call'] === 'pool',
    );

  beforeAll(async () => {
    home = tempDir();
    // Room for two containers of 512 MiB; a surge is remembered for 3 s.
    const limits = { maxMemoryMb: 1024, idleMs: 3000 };
    hub = new Hub({ dataDir: home, sandbox: new DockerSandbox({ dataDir: home, baseImages }), warmPools: true, warmPoolLimits: limits });
    await hub.start();
    await hub.run('apps.add', { path: makeFixtureApp('mcp-probe: node probe.mjs\n', ['probe.mjs'], {}, 'capped') });
    serverId = (await hub.run('servers.list', {}))[0]!.id;
  });

  afterAll(async () => {
    if (docker) await hub.close();
    cleanupTempDirs();
  });

  it('grows with a burst only as far as the memory cap allows, then shrinks back when the burst is over', async () => {
    await until(() => hub.pools!.readiness()[serverId] === 1, 'a warm container');
    const calls = await Promise.all([1, 2, 3, 4].map(() => hub.run('call', { tool: 'slow', args: { ms: 200 } })));
    expect(calls.filter((c) => c.call.warm)).toHaveLength(1);
    await until(() => hub.pools!.readiness()[serverId] === 2, 'the pool to grow to the cap', 60_000);
    // Containers the pool started for the burst's waiting calls may still be on their way out.
    const used = new Set(calls.map((c) => c.call.container_id));
    expect((await poolContainers()).filter((c) => !used.has(c.Id))).toHaveLength(2);
    await until(() => hub.pools!.readiness()[serverId] === 1, 'the pool to shrink back', 60_000);
    await until(async () => (await poolContainers()).length === 1, 'the extra container to go');
  });
});
