import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hub } from '../src/hub/hub.js';
import { DockerSandbox } from '../src/sandbox/docker-sandbox.js';
import type { ServerView } from '../src/shared/api.js';
import { containersOf, dockerEngine, testNodeImage } from './docker.js';
import { cleanupTempDirs, cli, makeApp, makeFixtureApp, root, tempDir } from './helpers.js';

const docker = await dockerEngine();

const baseImages = { node: testNodeImage, python: 'python:3.12-slim', ruby: 'ruby:3.3-slim', go: 'golang:1.23' };
const dockerEnv = { PROCDOCK_SANDBOX: 'docker', PROCDOCK_BASE_IMAGE_NODE: testNodeImage };

/** A socket that forwards to the real engine and can be cut and restored, as an engine that stops. */
class EngineLink {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  constructor(readonly path: string) {}

  async up(): Promise<void> {
    this.server = createServer((client) => {
      const engine = createConnection('/var/run/docker.sock');
      for (const s of [client, engine]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(engine).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.path, resolve));
  }

  async down(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }
}

describe.skipIf(!docker)('an engine that stops and comes back', () => {
  let link: EngineLink;
  let hub: Hub;

  beforeAll(async () => {
    const home = tempDir();
    link = new EngineLink(join(home, 'engine.sock'));
    await link.up();
    hub = new Hub({ dataDir: home, sandbox: new DockerSandbox({ dataDir: home, baseImages, docker: new Docker({ socketPath: link.path }) }) });
    await hub.start();
    await hub.run('apps.add', { path: makeFixtureApp('mcp-probe: node probe.mjs\n', ['probe.mjs'], {}, 'probe') });
  });
  afterAll(async () => {
    if (docker) {
      await hub.close();
      await link.down();
    }
    cleanupTempDirs();
  });

  it('says "no Docker engine" while it is gone, keeps serving the rest, and recovers by itself', async () => {
    expect(await hub.run('hub.info', {})).toMatchObject({ sandbox: { kind: 'docker', ready: true } });
    await link.down();
    const info = await hub.run('hub.info', {});
    expect(info.sandbox.ready).toBe(false);
    expect(info.sandbox.reason).toMatch(/^no Docker engine: /);
    const { result } = await hub.run('call', { tool: 'slow', args: { ms: 1 } });
    expect(result.isError).toBe(true);
    expect((result.content[0] as { text: string }).text).toMatch(/^no Docker engine: cannot reach/);
    const synced = await hub.run('sync', {});
    expect(synced.servers[0]?.primitives_error).toMatch(/no Docker engine/);
    expect((await hub.run('apps.list', {}))).toHaveLength(1);

    await link.up();
    expect((await hub.run('hub.info', {})).sandbox.ready).toBe(true);
    expect((await hub.run('sync', {})).servers[0]?.primitives_status).toBe('synced');
    const again = await hub.run('call', { tool: 'slow', args: { ms: 1 } });
    expect((again.result.content[0] as { text: string }).text).toBe('done');
  });
});

describe.skipIf(!docker)('a hub killed with SIGKILL', () => {
  afterAll(cleanupTempDirs);

  it('leaves nothing running after its next start', async () => {
    const home = tempDir();
    const label = `procdock.home=${createHash('sha256').update(home).digest('hex').slice(0, 12)}`;
    const app = makeFixtureApp('mcp-probe: node probe.mjs\n', ['probe.mjs'], {}, 'probe');
    expect((await cli(home, ['apps:add', app], dockerEnv)).code).toBe(0);
    const env = { PATH: process.env.PATH ?? '', HOME: home, PROCDOCK_HOME: home, PROCDOCK_LOG_LEVEL: 'warn', ...dockerEnv };
    const serve = (args: string[] = []) => spawn(process.execPath, [join(root, 'bin', 'procdock'), 'serve', '--port', '0', ...args], { env });
    const first = serve();
    await new Promise((resolve) => first.stdout.once('data', resolve));
    // A call in flight and a warm container: both are left behind by the kill.
    void cli(home, ['call', 'slow', '--args', '{"ms":20000}'], dockerEnv);
    for (let i = 0; i < 100 && (await containersOf(docker!, label)).length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    expect((await containersOf(docker!, label)).length).toBeGreaterThanOrEqual(2);
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    expect((await containersOf(docker!, label)).length).toBeGreaterThanOrEqual(1);

    const second = serve();
    await new Promise((resolve) => second.stdout.once('data', resolve));
    const leftovers = (await containersOf(docker!, label)).filter((c) => c.Labels['procdock.call'] !== 'pool');
    expect(leftovers).toEqual([]);
    second.kill('SIGTERM');
    await new Promise((resolve) => second.once('exit', resolve));
    expect(await containersOf(docker!, label)).toEqual([]);
  });
});

describe.skipIf(!docker)('real MCP servers from npm in containers', () => {
  afterAll(cleanupTempDirs);

  it('builds server-everything with its dependencies into an image, syncs and calls it', async () => {
    const home = tempDir();
    const pkg = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(join(root, 'node_modules/@modelcontextprotocol/server-everything/package.json'), 'utf8'))) as { version: string };
    const app = makeApp({
      Procfile: 'mcp-everything: npx mcp-server-everything stdio\n',
      'package.json': JSON.stringify({ name: 'everything-app', private: true, dependencies: { '@modelcontextprotocol/server-everything': pkg.version } }),
      '.dockerignore': 'node_modules\n',
    }, 'everything');
    const added = await cli(home, ['apps:add', app], dockerEnv);
    expect(added.stderr).toMatch(/Step \d+\/\d+ : RUN npm install/);
    expect(added.stdout).toMatch(/mcp-everything: npx mcp-server-everything stdio {2}\[synced, \d+ tools\]/);
    expect(added.code).toBe(0);
    const [server] = JSON.parse((await cli(home, ['servers', '--json'], dockerEnv)).stdout) as ServerView[];
    expect(server?.primitives_status).toBe('synced');
    expect(server?.tools.map((t) => t.name)).toContain('echo');
    const call = await cli(home, ['call', 'echo', '--args', '{"message":"from a container"}'], dockerEnv);
    expect(JSON.parse(call.stdout)).toEqual({ content: [{ type: 'text', text: 'Echo: from a container' }] });
    expect(call.stderr).toContain('in docker sandbox');
    expect((await cli(home, ['apps:remove', 'everything'], dockerEnv)).code).toBe(0);
    const home12 = createHash('sha256').update(home).digest('hex').slice(0, 12);
    expect(await docker!.listImages({ filters: { reference: [`localhost/procdock-${home12}/everything`] } })).toEqual([]);
  }, 240_000);
});
