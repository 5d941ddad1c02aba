import type Docker from 'dockerode';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CallRecordView, DoctorCheck, ServerView, VolumeView } from '../src/shared/api.js';
import { containersOf, homeLabel, volumesOf } from './docker.js';
import { until, type TestEngine } from './engines.js';
import { cli, fixtureFiles, freshHome, makeFixtureApp, makeNpmApp, type CliResult } from './helpers.js';
import { serveHub, type ServedHub } from './hub-process.js';

/** What a user's app looks like: two servers from npm, one keeping its graph in /data, and the probe. */
export function engineTestApp(name = 'notes'): string {
  const procfile = [
    'mcp-everything: mcp-server-everything stdio',
    'mcp-memory: mcp-server-memory',
    'mcp-probe: node probe.mjs',
    '',
  ].join('\n');
  const settings = { servers: { 'mcp-memory': { volumes: ['/data'] }, 'mcp-probe': { ttl_seconds: 5 } } };
  return makeNpmApp(
    procfile,
    ['@modelcontextprotocol/server-everything', '@modelcontextprotocol/server-memory'],
    name,
    {
      ...fixtureFiles('probe.mjs'),
      'procdock.json': JSON.stringify(settings),
    },
  );
}

export const textOf = (result: CliResult) =>
  (JSON.parse(result.stdout) as { content: { text: string }[] }).content.map((c) => c.text).join('\n');

/** The probe's report from inside a call container, with what legitimately differs per engine made equal. */
export function hardening(result: CliResult): Record<string, unknown> {
  expect(result.code, result.stdout + result.stderr).toBe(0);
  const seen = JSON.parse(textOf(result)) as Record<string, unknown>;
  // Each engine brings its own init (docker-init, catatonit as /run/podman-init): that one is there is the point.
  return { ...seen, pid1: /init/.test(String(seen.pid1)) ? 'an init process' : seen.pid1 };
}

export interface EngineChecks {
  /** The engine under test, once the suite's beforeAll has started it. */
  engine: () => TestEngine;
  /** What `procdock doctor` and hub.info must say about it. */
  doctor: RegExp;
  /** The probe's report from the local Docker engine, which this engine must match. */
  baseline: () => Record<string, unknown>;
  /** The local engine, which must see nothing of what ran elsewhere (when the engine is another one). */
  local: Docker;
}

/**
 * The checks the local engine passes, against another engine: `procdock serve` with the engine's
 * environment, a real npm app built there, synced, called, probed from inside, a volume kept, the
 * warm pool, faults, the sweep after a killed hub; and nothing left on either engine at the end.
 */
export function engineChecks(checks: EngineChecks): void {
  let home: string;
  let hub: ServedHub;
  let label: string;
  const env = () => checks.engine().env;
  const run = (args: string[]) => cli(home, args, env());
  const onEngine = () => containersOf(checks.engine().docker, label);

  beforeAll(async () => {
    home = freshHome();
    label = await homeLabel(home);
    hub = await serveHub(home, [], env());
  }, 120_000);

  afterAll(async () => {
    await run(['apps:remove', 'notes']);
    await hub?.stop();
    const docker = checks.engine().docker;
    expect(await containersOf(docker, label)).toEqual([]);
    expect(await volumesOf(docker, label)).toEqual([]);
    expect(await docker.listImages({ all: true, filters: { label: [label] } })).toEqual([]);
    // Builds and calls went to that engine: the local one saw nothing of this data dir.
    expect(await containersOf(checks.local, label)).toEqual([]);
    expect(await checks.local.listImages({ all: true, filters: { label: [label] } })).toEqual([]);
  }, 120_000);

  it('names the engine in procdock doctor and hub.info', async () => {
    const doctor = await run(['doctor', '--json', '--port', '0']);
    const engine = (JSON.parse(doctor.stdout) as DoctorCheck[]).find((c) => c.id === 'engine');
    expect(engine?.status).toBe('ok');
    expect(engine?.detail.replace(/; host folders cannot be granted.*$/, '')).toMatch(checks.doctor);
    const info = await fetch(`${hub.url}/api/hub.info`, {
      method: 'POST',
      headers: { authorization: `Bearer ${hub.adminToken()}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(((await info.json()) as { sandbox: { engine: string } }).sandbox.engine).toMatch(checks.doctor);
  });

  it('builds a real npm app on that engine and syncs every server', async () => {
    const added = await run(['apps:add', engineTestApp(), '--json']);
    expect(added.code, added.stdout + added.stderr).toBe(0);
    const servers = JSON.parse((await run(['servers', '--json'])).stdout) as ServerView[];
    expect(servers.map((s) => [s.process_type, s.primitives_status])).toEqual([
      ['mcp-everything', 'synced'],
      ['mcp-memory', 'synced'],
      ['mcp-probe', 'synced'],
    ]);
    const [app] = JSON.parse((await run(['apps', '--json'])).stdout) as { image: string }[];
    expect(app!.image).toMatch(/^localhost\/procdock-[0-9a-f]{12}\/notes:[0-9a-f]{16}$/);
    expect(await checks.engine().docker.getImage(app!.image).inspect()).toMatchObject({
      Config: { Labels: { 'procdock.app': 'notes' } },
    });
  }, 600_000);

  it('calls a tool of a server from npm', async () => {
    const echo = await run(['call', 'echo', '--args', '{"message":"from another engine"}']);
    expect(echo.code, echo.stdout + echo.stderr).toBe(0);
    expect(textOf(echo)).toBe('Echo: from another engine');
  });

  it('gives the hardening probe the same answers as the local engine', async () => {
    expect(hardening(await run(['call', 'inspect']))).toEqual(checks.baseline());
    const names = JSON.parse(textOf(await run(['call', 'env']))) as string[];
    // Podman adds `container` and `TERM` of its own; nothing of the host's environment gets in.
    expect(
      names.filter((n) => !['HOME', 'PATH', 'PWD', 'HOSTNAME', 'NODE_EXTRA_CA_CERTS', 'TERM', 'container'].includes(n)),
    ).toEqual([]);
  });

  it('keeps server-memory’s graph in an app volume, across fresh containers', async () => {
    expect((await run(['config:set', 'notes', 'MEMORY_FILE_PATH=/data/memory.jsonl'])).code).toBe(0);
    const entity = { entities: [{ name: 'Ada', entityType: 'person', observations: ['likes tea'] }] };
    const created = await run(['call', 'create_entities', '--args', JSON.stringify(entity)]);
    expect(created.code, created.stdout + created.stderr).toBe(0);
    expect(textOf(await run(['call', 'read_graph']))).toContain('likes tea');
    const volumes = JSON.parse((await run(['volumes', 'notes', '--json'])).stdout) as VolumeView[];
    expect(volumes).toEqual([
      expect.objectContaining({ app: 'notes', process_type: 'mcp-memory', container_path: '/data' }),
    ]);
    expect((await volumesOf(checks.engine().docker, label)).map((v) => v.Name)).toEqual([volumes[0]!.name]);
  });

  it('serves calls from warm containers on that engine', async () => {
    const pooled = async () =>
      (await onEngine()).filter((c) => c.Labels['procdock.call'] === 'pool' && c.State === 'running');
    await until(
      async () => (await pooled()).some((c) => c.Labels['procdock.server'] === 'notes/mcp-everything'),
      'a warm mcp-everything container',
    );
    // The earlier calls may have grown the pool past one: any of its warm containers may serve.
    const warm = (await pooled()).filter((c) => c.Labels['procdock.server'] === 'notes/mcp-everything').map((c) => c.Id);
    expect((await run(['call', 'echo', '--args', '{"message":"warm"}'])).code).toBe(0);
    const [call] = JSON.parse((await run(['calls', '--json', '--limit', '1'])).stdout) as CallRecordView[];
    expect(call).toMatchObject({ tool: 'echo', warm: true, status: 'ok' });
    expect(warm).toContain(call!.container_id);
  });

  it('turns a crash and a hang into clear errors, and keeps serving', async () => {
    const crash = await run(['call', 'crash']);
    expect(crash.code).toBe(1);
    expect(textOf(crash)).toMatch(/exited with code 9.*crashing now/);
    const hang = await run(['call', 'hang']);
    expect(textOf(hang)).toMatch(/hang ran out of time: killed after 5 s \(ttl_seconds\)/);
    expect(textOf(await run(['call', 'echo', '--args', '{"message":"still here"}']))).toBe('Echo: still here');
  }, 120_000);

  it('sweeps what a killed hub left on that engine', async () => {
    // Once the earlier calls' containers are gone, only warm ones stay.
    const settled = async () => {
      const all = await onEngine();
      return all.length > 0 && all.every((c) => c.Labels['procdock.call'] === 'pool' && c.State === 'running');
    };
    await until(settled, 'only warm containers');
    hub.child.kill('SIGKILL');
    await new Promise((resolve) => hub.child.once('exit', resolve));
    // Read after it died: a pool may have begun removing a container it no longer wanted just before.
    const left = (await onEngine()).map((c) => c.Id);
    expect(left.length).toBeGreaterThan(0);
    hub = await serveHub(home, [], env());
    await until(async () => (await onEngine()).every((c) => !left.includes(c.Id)), 'the sweep at start');
    expect(textOf(await run(['call', 'read_graph']))).toContain('likes tea');
  }, 120_000);
}

/** The probe's report from the local Docker engine: what every other engine must answer too. */
export async function localHardening(): Promise<Record<string, unknown>> {
  const home = freshHome();
  const added = await cli(home, [
    'apps:add',
    makeFixtureApp('mcp-probe: node probe.mjs\n', ['probe.mjs'], {}, 'baseline'),
  ]);
  expect(added.code, added.stdout + added.stderr).toBe(0);
  try {
    return hardening(await cli(home, ['call', 'inspect']));
  } finally {
    await cli(home, ['apps:remove', 'baseline']);
  }
}
