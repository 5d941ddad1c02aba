import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Hub } from '../src/hub/hub.js';
import { DockerSandbox } from '../src/sandbox/docker-sandbox.js';
import type { CallRecordView } from '../src/shared/api.js';
import { containersOf, dockerEngine, testNodeImage } from './docker.js';
import { cleanupTempDirs, homeId, makeFixtureApp, tempDir } from './helpers.js';

const docker = await dockerEngine();

const baseImages = { node: testNodeImage, python: 'python:3.12-slim', ruby: 'ruby:3.3-slim', go: 'golang:1.23' };

function text(result: { content: unknown[] }): string {
  return (result.content[0] as { text: string }).text;
}

const callId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function homeLabel(dataDir: string): string {
  return `procdock.home=${homeId(dataDir)}`;
}

describe.skipIf(!docker)('the Docker sandbox', () => {
  let hub: Hub;
  let home: string;

  beforeAll(async () => {
    home = tempDir();
    hub = new Hub({ dataDir: home, sandbox: new DockerSandbox({ dataDir: home, baseImages }), initTimeoutMs: 10_000 });
    await hub.start();
    const app = makeFixtureApp('mcp-probe: node probe.mjs\n', ['probe.mjs'], {}, 'probe');
    const added = await hub.run('apps.add', { path: app });
    expect(added.build_status).toBe('built');
    expect(added.servers[0]?.primitives_status).toBe('synced');
  });

  afterAll(async () => {
    if (docker) await hub.close();
    cleanupTempDirs();
  });

  it('runs each call in a live container with every default of SPEC.md', async () => {
    const call = hub.run('call', { tool: 'slow', args: { ms: 2500 } });
    let live: Docker.ContainerInfo | undefined;
    for (let i = 0; i < 100 && !live; i++) {
      // The call's own: its label is the call's id (the sync's says 'sync'; a build step's has none).
      live = (await containersOf(docker!, homeLabel(home))).find((c) => callId.test(c.Labels['procdock.call'] ?? ''));
      if (!live) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(live).toBeDefined();
    const info = await docker!.getContainer(live!.Id).inspect();
    const host = info.HostConfig;
    expect(host.NetworkMode).toBe('none');
    expect(host.ReadonlyRootfs).toBe(true);
    expect(host.Tmpfs).toEqual({ '/tmp': 'rw,nosuid,nodev,size=64m' });
    expect(host.CapDrop).toEqual(['ALL']);
    expect(host.SecurityOpt).toEqual(['no-new-privileges']);
    expect(host.Memory).toBe(512 * 1024 * 1024);
    expect(host.MemorySwap).toBe(512 * 1024 * 1024);
    // 1 CPU, counted over half a second: 500 ms of CPU time per 500 ms.
    expect(host.CpuQuota).toBe(500_000);
    expect(host.CpuPeriod).toBe(500_000);
    expect(host.PidsLimit).toBe(256);
    expect(host.Init).toBe(true);
    expect(host.LogConfig).toEqual({ Type: 'none', Config: {} });
    expect(info.Config.User).toBe('1000:1000');
    expect(info.Config.Labels).toMatchObject({ 'procdock.managed': 'true', 'procdock.server': 'probe/mcp-probe', 'procdock.app': 'probe' });
    const { result, call: record } = await call;
    expect(text(result)).toBe('done');
    expect(record.container_id).toBe(live!.Id);
    expect(info.Config.Labels['procdock.call']).toBe(record.id);
  });

  it('keeps the tool inside: no network, read-only root, writable /tmp, non-root, its limits', async () => {
    const { result, call } = await hub.run('call', { tool: 'inspect', args: {} });
    const seen = JSON.parse(text(result)) as Record<string, unknown>;
    expect(seen.uid).toBe(1000);
    expect(seen.dns).toMatchObject({ ok: false });
    expect(seen.tcp).toMatchObject({ ok: false });
    expect(seen.writeRoot).toEqual({ ok: false, error: 'EROFS' });
    expect(seen.writeTmp).toEqual({ ok: true });
    expect(seen.memoryMax).toBe(String(512 * 1024 * 1024));
    expect(seen.pidsMax).toBe('256');
    expect(seen.cpuMax).toBe('500000 500000');
    expect(seen.capEff).toBe('0000000000000000');
    expect(seen.noNewPrivs).toBe('1');
    expect(seen.pid1).toMatch(/init/);
    expect(call).toMatchObject({ sandbox: 'docker', status: 'ok' });
  });

  it('gives the container the config vars and nothing of the host environment', async () => {
    process.env.PROCDOCK_TEST_HOST_SECRET = 'do-not-leak';
    await hub.run('config.set', { app: 'probe', vars: { API_TOKEN: 'from-config' } });
    const { result } = await hub.run('call', { tool: 'env', args: {} });
    const names = JSON.parse(text(result)) as string[];
    expect(names).toContain('API_TOKEN');
    expect(names).not.toContain('PROCDOCK_TEST_HOST_SECRET');
    expect(names.filter((n) => !['API_TOKEN', 'HOME', 'PATH', 'PWD', 'HOSTNAME', 'NODE_EXTRA_CA_CERTS'].includes(n))).toEqual([]);
  });

  it('records timings, the container id and the exit status', async () => {
    await hub.runner.drain();
    const [call] = await hub.run('calls.list', { limit: 1 });
    expect(call?.container_id).toMatch(/^[0-9a-f]{64}$/);
    expect(call?.exit_code).toBe(137);
    expect(call?.timings?.start_ms).toBeGreaterThan(0);
    expect(call?.timings?.init_ms).toBeGreaterThan(0);
  });

  describe('faults: each a clear isError, and the hub keeps serving', () => {
    it.each([
      ['a crash mid-call', 'crash', /exited with code 9.*crashing now/],
      ['non-JSON on stdout', 'garbage', /non-JSON to stdout \("DEBUG: this is not JSON"\)/],
    ])('%s', async (_case, tool, message) => {
      const { result } = await hub.run('call', { tool, args: {} });
      expect(result.isError).toBe(true);
      expect(text(result)).toMatch(message);
      expect(text((await hub.run('call', { tool: 'slow', args: { ms: 1 } })).result)).toBe('done');
    });

    it('a flood of output is cut at 4 MiB and says so', async () => {
      const { result } = await hub.run('call', { tool: 'flood', args: { bytes: 6 * 1024 * 1024 } });
      const size = Buffer.byteLength(JSON.stringify(result));
      expect(size).toBeLessThanOrEqual(4 * 1024 * 1024);
      expect(JSON.stringify(result.content.at(-1))).toMatch(/over the 4 MiB limit, and was cut/);
    });

    it('a tool that never answers is killed at ttl_seconds', async () => {
      const app = makeFixtureApp('mcp-slowpoke: node probe.mjs\n', ['probe.mjs'], {
        'procdock.json': JSON.stringify({ servers: { 'mcp-slowpoke': { ttl_seconds: 2 } } }),
      }, 'slowpoke');
      await hub.run('apps.add', { path: app, attach: null });
      await hub.run('models.create', { name: 'slow', provider: 'openai', model: 'x' });
      await hub.run('attach', { app: 'slowpoke', resource: 'slow' });
      const { result, call } = await hub.run('call', { tool: 'hang', args: {}, resource: 'slow' });
      expect(result.isError).toBe(true);
      expect(text(result)).toMatch(/hang ran out of time: killed after 2 s \(ttl_seconds\)/);
      expect(call.timings!.total_ms).toBeGreaterThanOrEqual(2000);
      await hub.runner.drain();
      expect(await containersOf(docker!, `procdock.call=${call.id}`)).toEqual([]);
    });

    it('a server that exits before initialize marks its sync as error', async () => {
      const app = makeFixtureApp('mcp-early: node exit-early.mjs\n', ['exit-early.mjs'], {}, 'early');
      const added = await hub.run('apps.add', { path: app, attach: null });
      expect(added.servers[0]?.primitives_status).toBe('error');
      const [server] = (await hub.run('servers.list', {})).filter((s) => s.app_name === 'early');
      expect(server?.primitives_error).toMatch(/exited with code 3.*DATABASE_URL is not set/);
    });
  });

  it('lets procdock.json loosen the network and the memory limit', async () => {
    const app = makeFixtureApp('mcp-open: node probe.mjs\n', ['probe.mjs'], {
      'procdock.json': JSON.stringify({ servers: { 'mcp-open': { network: 'bridge', memory_mb: 256, read_only: false } } }),
    }, 'open');
    await hub.run('apps.add', { path: app, attach: null });
    await hub.run('attach', { app: 'open', resource: 'slow' });
    const seen = JSON.parse(text((await hub.run('call', { tool: 'mcp-open/inspect', args: {}, resource: 'slow' })).result));
    expect(seen.memoryMax).toBe(String(256 * 1024 * 1024));
    // The root is writable now; the app's folder still belongs to root, not to the call's user.
    expect(seen.writeRoot).toEqual({ ok: false, error: 'EACCES' });
    expect(seen.tcp.error).not.toBe('ENETUNREACH');
  });

  it('refuses a bad procdock.json naming the file and key, and registers nothing', async () => {
    const app = makeFixtureApp('mcp-bad: node probe.mjs\n', ['probe.mjs'], {
      'procdock.json': JSON.stringify({ servers: { 'mcp-bad': { cpu: 2 } } }),
    }, 'bad');
    const before = await hub.run('apps.list', {});
    await expect(hub.run('apps.add', { path: app })).rejects.toThrow(/procdock\.json: servers\.mcp-bad\.cpu: Unrecognized key/);
    expect(await hub.run('apps.list', {})).toEqual(before);
  });

  it('names why a build failed with the failing step’s own error lines, and streams no terminal codes', async () => {
    const app = makeFixtureApp('mcp-x: node probe.mjs\n', ['probe.mjs'], { 'package.json': '{"name": "broken",}' }, 'broken');
    const lines: string[] = [];
    const stop = hub.onDidProgress((event) => lines.push(event.line));
    const added = await hub.run('apps.add', { path: app, attach: null }).finally(stop);
    expect(added.build_status).toBe('error');
    expect(added.build_error).toMatch(/returned a non-zero code: \d+ — .*npm error .*JSON/);
    expect(lines.some((line) => line.startsWith('npm error'))).toBe(true);
    // eslint-disable-next-line no-control-regex
    expect(lines.filter((line) => /\x1b/.test(line))).toEqual([]);
    await hub.run('apps.remove', { name: 'broken' });
  });

  it('rebuilds the image only when the app’s files change', async () => {
    const [app] = (await hub.run('apps.list', {})).filter((a) => a.name === 'probe');
    const same = await hub.run('apps.build', { name: 'probe' });
    expect(same.image).toBe(app?.image);
    writeFileSync(join(app!.path, 'notes.txt'), 'a change');
    const changed = await hub.run('apps.build', { name: 'probe' });
    expect(changed.image).not.toBe(app?.image);
    const repository = `localhost/procdock-${homeLabel(home).split('=')[1]}/probe`;
    expect(changed.image).toMatch(new RegExp(`^${repository}:[0-9a-f]{16}$`));
    const images = await docker!.listImages({ filters: { reference: [repository] } });
    expect(images.flatMap((i) => i.RepoTags)).toEqual([changed.image]);
  });

  it('removing an app removes its containers and images', async () => {
    await hub.run('apps.remove', { name: 'open' });
    expect(await docker!.listImages({ filters: { reference: [`localhost/procdock-${homeLabel(home).split('=')[1]}/open`] } })).toEqual([]);
    expect(await containersOf(docker!, 'procdock.app=open')).toEqual([]);
  });

  it('removing an app while its image builds stops the build: nothing of it is left, and the add says why', async () => {
    // A fresh nonce: the engine's layer cache must not skip the slow step.
    const slow = `RUN node -e "setTimeout(() => {}, 20000) // ${randomUUID()}"`;
    const app = makeFixtureApp('mcp-midway: node probe.mjs\n', ['probe.mjs'], { Dockerfile: `FROM ${testNodeImage}\n${slow}\nWORKDIR /app\nCOPY . .\n` }, 'midway');
    const progress: string[] = [];
    const stop = hub.onDidProgress(({ line }) => progress.push(line));
    const adding = hub.run('apps.add', { path: app });
    adding.catch((error: unknown) => progress.push(`apps.add failed: ${String(error)}`));
    await vi.waitFor(() => expect(progress.some((line) => line.includes(slow)), progress.join('\n')).toBe(true), { timeout: 30_000, interval: 50 });
    stop();
    await hub.run('apps.remove', { name: 'midway' });
    // Before, the build went on, tagged its image after the removal, and the add failed with "app … vanished".
    await expect(adding).rejects.toThrow('app "midway" was removed while it was being built: nothing of it is left');
    expect(await docker!.listImages({ all: true, filters: { label: [homeLabel(home), 'procdock.app=midway'] } })).toEqual([]);
    expect(await containersOf(docker!, 'procdock.app=midway')).toEqual([]);
    expect((await hub.run('apps.list', {})).map((a) => a.name)).not.toContain('midway');
  });

  it('leaves no container behind after sequential and concurrent calls', async () => {
    for (let i = 0; i < 5; i++) await hub.run('call', { tool: 'slow', args: { ms: 1 } });
    const burst = await Promise.all(Array.from({ length: 12 }, () => hub.run('call', { tool: 'slow', args: { ms: 50 } })));
    expect(burst.every((b) => text(b.result) === 'done')).toBe(true);
    await hub.runner.drain();
    expect(await containersOf(docker!, homeLabel(home))).toEqual([]);
    const calls = (await hub.run('calls.list', { limit: 17 })) as CallRecordView[];
    expect(calls.every((c) => c.status === 'ok')).toBe(true);
  });

  it('never sweeps a container that is still being launched, however often the sweep runs', async () => {
    // The engine lists a new container before the hub has its id: a sweep in that moment took it,
    // and the call failed with "container is marked for removal and cannot be started".
    const busyHome = tempDir();
    const busy = new Hub({ dataDir: busyHome, sandbox: new DockerSandbox({ dataDir: busyHome, baseImages, sweepIntervalMs: 15 }), initTimeoutMs: 10_000 });
    try {
      await busy.start();
      await busy.run('apps.add', { path: makeFixtureApp('mcp-probe: node probe.mjs\n', ['probe.mjs'], {}, 'swept') });
      const failures: string[] = [];
      for (let round = 0; round < 4; round++) {
        const burst = await Promise.all(Array.from({ length: 8 }, () => busy.run('call', { tool: 'slow', args: { ms: 1 } })));
        failures.push(...burst.filter((b) => text(b.result) !== 'done').map((b) => text(b.result)));
      }
      expect(failures).toEqual([]);
      await busy.runner.drain();
      expect(await containersOf(docker!, homeLabel(busyHome))).toEqual([]);
    } finally {
      await busy.run('apps.remove', { name: 'swept' }).catch(() => undefined);
      await busy.close();
    }
  });

  it('leaves a build step’s container to the builder, and sweeps a leftover call’s', async () => {
    // The builder turns the image's labels into LABEL steps: the last one's container carries the
    // hub's labels, and a sweep in that moment failed the build. Every container the hub makes
    // says what it is for in procdock.call; a build's says nothing.
    const own = { 'procdock.managed': 'true', 'procdock.home': homeLabel(home).split('=')[1]!, 'procdock.app': 'probe' };
    const step = await docker!.createContainer({ Image: testNodeImage, Cmd: ['true'], Labels: own });
    const leftover = await docker!.createContainer({ Image: testNodeImage, Cmd: ['true'], Labels: { ...own, 'procdock.call': 'pool' } });
    try {
      const sandbox = new DockerSandbox({ dataDir: home, baseImages });
      expect(await sandbox.sweep()).toBe(1);
      await sandbox.dispose();
      const ids = (await containersOf(docker!, homeLabel(home))).map((c) => c.Id);
      expect(ids).toContain(step.id);
      expect(ids).not.toContain(leftover.id);
    } finally {
      await step.remove({ force: true });
      await leftover.remove({ force: true }).catch(() => undefined);
    }
  });
});
