import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallRecordView, ServerView } from '../src/shared/api.js';
import { containersOf, dockerEngine, homeLabel, testNodeImage, volumesOf } from './docker.js';
import { cleanupTempDirs, cli, fixtureFiles, freshHome, makeFixtureApp, makeNpmApp, tempDir, testEnv, writeApp } from './helpers.js';
import { serveHub, type ServedHub } from './hub-process.js';

const docker = await dockerEngine();

afterAll(cleanupTempDirs);

const text = (result: { content?: unknown }) => ((result.content ?? []) as { text?: string }[]).map((c) => c.text ?? '').join('\n');

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!;
  return Number(/\d+/.exec(line)![0]) / 1024;
}

describe.skipIf(!docker)('a malicious server behind the hub', () => {
  let home: string;
  let hub: ServedHub;

  beforeAll(async () => {
    home = freshHome();
    const everything = makeNpmApp('mcp-everything: mcp-server-everything stdio\n', ['@modelcontextprotocol/server-everything'], 'everything');
    const impostor = makeFixtureApp('mcp-impostor: node impostor.mjs\n', ['impostor.mjs'], {}, 'impostor');
    for (const app of [everything, impostor]) expect((await cli(home, ['apps:add', app])).code).toBe(0);
    hub = await serveHub(home);
  }, 240_000);
  afterAll(async () => {
    await hub?.stop();
  });

  it('H2: cannot claim another server’s namespaced names; those always reach their own server', async () => {
    const servers = JSON.parse((await cli(home, ['servers', '--json'])).stdout) as ServerView[];
    const impostor = servers.find((s) => s.process_type === 'mcp-impostor')!;
    expect(impostor.refused?.map((r) => r.name).sort()).toEqual(['mcp-everything/echo', 'mcp-everything__echo']);
    expect(impostor.refused?.find((r) => r.name === 'mcp-everything__echo')?.reason).toContain('how the toolkit names the tools of the server "mcp-everything"');
    expect((await cli(home, ['servers'])).stdout).toContain('refused tool "mcp-everything/echo"');

    const client = new Client({ name: 'attacks', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${hub.url}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${await hub.key()}` } } }));
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toEqual(expect.arrayContaining(['mcp-everything__echo', 'mcp-impostor__echo']));
      expect(names.filter((n) => n.includes('/') || n === 'mcp-impostor__mcp-everything__echo')).toEqual([]);
      const echoed = (await client.callTool({ name: 'mcp-everything__echo', arguments: { message: 'hi' } })) as { content?: unknown };
      expect(text(echoed)).toBe('Echo: hi');
    } finally {
      await client.close();
    }
    expect(JSON.parse((await cli(home, ['call', 'mcp-everything/echo', '--args', '{"message":"hi"}'])).stdout).content[0].text).toBe('Echo: hi');
  });

  it('M1: a flood of notifications ends the call as an error, and the hub’s memory stays flat', async () => {
    const before = rssMiB(hub.child.pid!);
    const run = await cli(home, ['call', 'flood-notifications', '--args', '{"count":100000}']);
    expect(run.code).toBe(1);
    expect(text(JSON.parse(run.stdout))).toMatch(/more than 1000 notifications in one second.*the call was stopped/);
    // docker-modem's demux buffered the whole flood: +77 MiB here, +134 MiB in CI; now about 13.
    expect(rssMiB(hub.child.pid!) - before).toBeLessThan(40);
    expect(JSON.parse((await cli(home, ['call', 'mcp-everything/echo', '--args', '{"message":"still here"}'])).stdout).content[0].text).toBe('Echo: still here');
    // The flooding container is removed, though it was still writing when its call was stopped: the
    // engine's rm -f waited for the hub to read that output, and the hub had stopped reading it.
    const calls = JSON.parse((await cli(home, ['calls', '--json', '--limit', '5'])).stdout) as CallRecordView[];
    const flood = calls.find((c) => c.tool === 'flood-notifications')?.container_id;
    expect(flood).toBeTruthy();
    // Listed, not inspected: inspecting a container the engine is stuck removing hangs.
    const present = async () => (await docker!.listContainers({ all: true, filters: { id: [flood!] } })).map((c) => c.State);
    await expect.poll(present, { timeout: 20_000, interval: 500 }).toEqual([]);
  }, 120_000);

  it('M2: the 4 MiB cap covers every key of a result, and the call log keeps a bounded excerpt', async () => {
    const run = await cli(home, ['call', 'huge-meta', '--args', '{"mib":8}']);
    expect(Buffer.byteLength(run.stdout)).toBeLessThan(4.1 * 1024 * 1024);
    const result = JSON.parse(run.stdout) as { _meta?: unknown; content: { text: string }[] };
    expect(result._meta).toBeUndefined();
    expect(result.content.at(-1)!.text).toMatch(/over the 4 MiB limit, and was cut; dropped: _meta/);
    const [logged] = JSON.parse((await cli(home, ['calls', '--json', '--limit', '1'])).stdout) as CallRecordView[];
    expect(Buffer.byteLength(JSON.stringify(logged!.result))).toBeLessThan(80 * 1024);

    const huge = await cli(home, ['call', 'huge-meta', '--args', '{"mib":30}']);
    expect(huge.code).toBe(1);
    expect(text(JSON.parse(huge.stdout))).toMatch(/a message over 16 MiB/);
  }, 120_000);

  it('keeps an app’s config var values out of the call log, in the list and in the database file', async () => {
    const secret = 'sk-live-0123456789abcdef';
    expect((await cli(home, ['config:set', 'impostor', `API_TOKEN=${secret}`])).code).toBe(0);
    const run = await cli(home, ['call', 'env']);
    expect(run.stdout).toContain(secret);
    const [logged] = JSON.parse((await cli(home, ['calls', '--json', '--limit', '1'])).stdout) as CallRecordView[];
    expect(JSON.stringify(logged)).not.toContain(secret);
    expect(JSON.stringify(logged)).toContain('[redacted]');
    for (const file of ['procdock.db', 'procdock.db-wal']) {
      expect(readFileSync(join(home, file)).includes(Buffer.from(secret))).toBe(false);
    }
  });

  it('L3: arguments nested 5,000 deep get a 400 that says so, and the hub goes on', async () => {
    // Written by hand: JSON.stringify itself overflows on such an object.
    const deep = `${'{"a":'.repeat(5000)}{}${'}'.repeat(5000)}`;
    const response = await fetch(`${hub.url}/api/call`, {
      method: 'POST',
      headers: { authorization: `Bearer ${hub.adminToken()}`, 'content-type': 'application/json' },
      body: `{"tool":"nest","args":${deep}}`,
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/nest deeper than 64 levels/);
    expect((await fetch(`${hub.url}/health`)).status).toBe(200);
  });

  it('never lets another page frame the UI', async () => {
    const response = await fetch(`${hub.url}/`);
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });
});

describe.skipIf(!docker)('a malicious repo', () => {
  it('M7: its build steps cannot reach services on the host’s loopback, the hub’s own port included', async () => {
    const home = freshHome();
    const hub = await serveHub(home);
    try {
      const port = new URL(hub.url).port;
      // A step of its own every run: a port seen in an earlier run must not reuse that run's cached output.
      const probe = `/* ${randomUUID()} */ fetch('http://127.0.0.1:${port}/health').then(() => console.log('REACHED-THE-HUB'), () => console.log('LOOPBACK-IS-ITS-OWN'))`;
      const app = writeApp({
        Procfile: 'mcp-probe: node probe.mjs\n',
        Dockerfile: `FROM ${testNodeImage}\nWORKDIR /app\nRUN node -e "${probe}"\nCOPY . /app\n`,
        ...fixtureFiles('probe.mjs'),
      });
      const added = await cli(home, ['apps:add', app]);
      expect(added.code, added.stderr).toBe(0);
      // The step's own output lines (the Step line quotes both words).
      expect(added.stderr).toMatch(/^LOOPBACK-IS-ITS-OWN$/m);
      expect(added.stderr).not.toMatch(/^REACHED-THE-HUB$/m);
    } finally {
      await hub.stop();
    }
  }, 120_000);

  it('M6: what procdock.json loosens is printed, and limits the engine cannot give are refused', async () => {
    const home = freshHome();
    const greedy = makeFixtureApp('mcp-greedy: node probe.mjs\n', ['probe.mjs'], {
      'procdock.json': JSON.stringify({ servers: { 'mcp-greedy': { pool: 10, memory_mb: 65536, network: 'bridge', cpus: 64 } } }),
    }, 'greedy');
    const added = await cli(home, ['apps:add', greedy]);
    expect(added.code).toBe(1);
    expect(added.stdout).toMatch(/procdock\.json loosens its sandbox: network bridge: it can reach your network and the internet; memory 65536 MiB \(default 512\); 64 CPUs \(default 1\); 10 warm containers \(default 1\)/);
    const [server] = JSON.parse((await cli(home, ['servers', '--json'])).stdout) as ServerView[];
    expect(server!.primitives_error).toMatch(/procdock\.json asks for 64 CPUs; the engine has \d+/);
    expect(server!.loosened).toHaveLength(4);
  });

  it('M6: a Procfile of 12 servers syncs at most 4 containers at once', async () => {
    const home = freshHome();
    const label = await homeLabel(home);
    const procfile = Array.from({ length: 12 }, (_, i) => `mcp-p${i}: node probe.mjs\n`).join('');
    const app = makeFixtureApp(procfile, ['probe.mjs'], {}, 'many');
    let most = 0;
    let adding = true;
    const watch = (async () => {
      while (adding) {
        const syncing = (await containersOf(docker!, label)).filter((c) => c.Labels['procdock.call'] === 'sync').length;
        most = Math.max(most, syncing);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const added = await cli(home, ['apps:add', app]);
    adding = false;
    await watch;
    expect(added.code, added.stderr).toBe(0);
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(4);
  }, 120_000);

  it('a Procfile of 200,000 servers, or of one with a 300-character name, is refused before anything is built', async () => {
    const home = freshHome();
    const huge = makeFixtureApp(Array.from({ length: 200_000 }, (_, i) => `mcp-x${i}: node probe.mjs\n`).join(''), ['probe.mjs'], {}, 'huge');
    const many = makeFixtureApp(Array.from({ length: 65 }, (_, i) => `mcp-x${i}: node probe.mjs\n`).join(''), ['probe.mjs'], {}, 'many');
    const long = makeFixtureApp(`mcp-${'a'.repeat(300)}: node probe.mjs\n`, ['probe.mjs'], {}, 'long');
    const refusals = [
      [huge, /Procfile: \d+ KiB is too large for a Procfile \(at most 64 KiB\)/],
      [many, /Procfile: 65 MCP servers; an app may have at most 64/],
      [long, /Procfile:1: process name "mcp-a+\.\.\." is 304 characters long: at most 48/],
    ] as const;
    for (const [app, message] of refusals) {
      const added = await cli(home, ['apps:add', app]);
      expect(added.code).toBe(1);
      expect(added.stderr).toMatch(message);
    }
    expect(JSON.parse((await cli(home, ['apps', '--json'])).stdout)).toEqual([]);
    expect(await containersOf(docker!, await homeLabel(home))).toEqual([]);
  }, 60_000);

  it('L5: apps:remove of an app with a call running, a warm pool and a volume leaves no container, image or volume', async () => {
    const home = freshHome();
    const label = await homeLabel(home);
    const app = makeFixtureApp('mcp-probe: node probe.mjs\n', ['probe.mjs'], {
      'procdock.json': JSON.stringify({ servers: { 'mcp-probe': { volumes: ['/data'], pool: 2 } } }),
    }, 'doomed');
    expect((await cli(home, ['apps:add', app])).code).toBe(0);
    const hub = await serveHub(home);
    try {
      const running = cli(home, ['call', 'slow', '--args', '{"ms":20000}']);
      // Running by the call log: a container alone may be the add's sync container, not yet gone.
      const started = async () => {
        const [last] = JSON.parse((await cli(home, ['calls', '--json', '--limit', '1'])).stdout) as { tool: string; status: string }[];
        return last?.tool === 'slow' && last.status === 'running';
      };
      for (let i = 0; i < 100 && !(await started()); i++) await new Promise((resolve) => setTimeout(resolve, 100));
      expect((await cli(home, ['apps:remove', 'doomed'])).code).toBe(0);
      const cut = await running;
      expect(cut.code).toBe(1);
      expect(cut.stdout, cut.stderr).toContain('doomed/mcp-probe: slow was cut off: the app was removed during the call');
    } finally {
      await hub.stop();
    }
    expect(await containersOf(docker!, `procdock.app=doomed`).then((all) => all.filter((c) => c.Labels['procdock.home'] === label.split('=')[1]))).toEqual([]);
    expect(await docker!.listImages({ all: true, filters: { label: [label, 'procdock.app=doomed'] } })).toEqual([]);
    expect(await volumesOf(docker!, label)).toEqual([]);
  }, 120_000);
});

/** A socket that accepts connections and never answers: an engine that hangs. */
async function stalledEngine(path: string): Promise<{ server: Server; close(): void }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    server,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

describe('an app folder whose files must not go into an image', () => {
  it('refuses the home folder, a folder holding the data dir and one inside it, and registers nothing', async () => {
    // A fresh-user pass added its HOME: the image held hub.json, secret.key, the catalog and the
    // clients' configs with the key, though mounts:add refuses the same folder.
    const user = join(tempDir(), 'user');
    const data = join(user, '.local/share/procdock');
    const inside = join(data, 'app');
    mkdirSync(inside, { recursive: true });
    for (const dir of [user, inside]) writeFileSync(join(dir, 'Procfile'), 'mcp-probe: node probe.mjs\n');
    const refusals = [
      [user, data, /holds Procdock's data dir .*; an app's folder goes into its image whole: give the app a folder of its own/],
      [inside, data, /holds Procdock's data dir/],
      [user, join(tempDir(), 'data'), /holds your home folder, with your keys and logins/],
    ] as const;
    for (const [app, dataDir, message] of refusals) {
      const added = await cli(user, ['apps:add', app], { PROCDOCK_HOME: dataDir });
      expect(added.code).toBe(1);
      expect(added.stderr).toMatch(message);
      expect(JSON.parse((await cli(user, ['apps', '--json'], { PROCDOCK_HOME: dataDir })).stdout)).toEqual([]);
    }
  }, 60_000);
});

describe('L1: serve --open', () => {
  it('never puts the admin token on a command line: the browser gets a one-time code', async () => {
    const home = freshHome();
    const bin = tempDir();
    const seen = join(bin, 'argv.txt');
    // A stand-in for the desktop's opener that records how it was called.
    writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\necho "$@" > ${seen}\n`);
    chmodSync(join(bin, 'xdg-open'), 0o755);
    const hub = await serveHub(home, ['--open'], { PATH: `${bin}:${process.env.PATH ?? ''}`, PROCDOCK_SANDBOX: 'process' });
    try {
      for (let i = 0; i < 100 && !existsSync(seen); i++) await new Promise((resolve) => setTimeout(resolve, 50));
      const argv = readFileSync(seen, 'utf8');
      expect(argv).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#code=\S+/);
      expect(argv).not.toContain(hub.adminToken());
    } finally {
      await hub.stop();
    }
  });

  it('says so when the opener finds no browser, and serves on', async () => {
    const bin = tempDir();
    writeFileSync(join(bin, 'xdg-open'), '#!/bin/sh\necho "xdg-open: no method available for opening" >&2\nexit 3\n');
    chmodSync(join(bin, 'xdg-open'), 0o755);
    const hub = await serveHub(freshHome(), ['--open'], { PATH: `${bin}:${process.env.PATH ?? ''}`, PROCDOCK_SANDBOX: 'process' });
    try {
      for (let i = 0; i < 100 && !hub.output().includes('Could not open'); i++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(hub.output()).toContain('Could not open a browser (xdg-open exited with code 3): open the UI link above.');
      expect((await fetch(`${hub.url}/health`)).status).toBe(200);
    } finally {
      await hub.stop();
    }
  });
});

describe.skipIf(!docker)('L4: a hub that must stop', () => {
  it('starts with an engine that hangs, says so, and stops on SIGTERM anyway', async () => {
    const socket = join(tempDir(), 'hung.sock');
    const engine = await stalledEngine(socket);
    try {
      const hub = await serveHub(freshHome(), [], { DOCKER_HOST: `unix://${socket}` });
      expect(hub.output()).toMatch(/calls cannot run/);
      expect(await hub.stop()).toBe(0);
    } finally {
      engine.close();
    }
  }, 60_000);

  it('stops on SIGTERM while a call runs, and the next start sweeps what is left', async () => {
    const home = freshHome();
    const label = await homeLabel(home);
    const app = writeApp({ Procfile: 'mcp-probe: node probe.mjs\n', ...fixtureFiles('probe.mjs') });
    expect((await cli(home, ['apps:add', app])).code).toBe(0);
    const hub = await serveHub(home);
    void cli(home, ['call', 'slow', '--args', '{"ms":60000}']);
    for (let i = 0; i < 200 && (await containersOf(docker!, label)).filter((c) => c.Labels['procdock.call'] !== 'pool' && c.Labels['procdock.call'] !== 'sync').length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await hub.stop()).toBe(0);
    const next = await serveHub(home, [], testEnv(home));
    await next.stop();
    expect(await containersOf(docker!, label)).toEqual([]);
  }, 60_000);
});
