import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerView } from '../src/shared/api.js';
import { dockerEngine } from './docker.js';
import { cleanupTempDirs, cli, freshHome, makeFixtureApp, root, testEnv } from './helpers.js';
import { serveHub, type ServedHub } from './hub-process.js';

const docker = await dockerEngine();

describe.skipIf(!docker)('procdock serve, servers in Docker', () => {
  let home: string;
  let hub: ServedHub;
  let key: string;

  beforeAll(async () => {
    home = freshHome();
    const app = makeFixtureApp('mcp-paged: node paged.mjs\n', ['paged.mjs']);
    const added = await cli(home, ['apps:add', app, '--name', 'paged']);
    expect(added.code, added.stderr).toBe(0);
    hub = await serveHub(home);
    key = /INFERENCE_KEY=(\S+)/.exec((await cli(home, ['key'])).stdout)?.[1] ?? '';
  });
  afterAll(async () => {
    if (hub.child.exitCode === null) await hub.stop();
    cleanupTempDirs();
  });

  it('listens on 127.0.0.1 on a free port and prints the URLs', () => {
    expect(hub.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(hub.output()).toContain(`Toolkit:  ${hub.url}/mcp`);
    expect(hub.output()).toContain(`UI:       ${hub.url}/#token=${hub.adminToken()}`);
  });

  it('writes hub.json with its url and pid, readable only by the user', () => {
    const file = join(home, 'hub.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ url: hub.url, pid: hub.child.pid });
  });

  it('answers /health without auth', async () => {
    const response = await fetch(`${hub.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('serves GET /v1/mcp/servers to the INFERENCE_KEY with Heroku fields', async () => {
    const response = await fetch(`${hub.url}/v1/mcp/servers`, { headers: { authorization: `Bearer ${key}` } });
    expect(response.status).toBe(200);
    const [server] = (await response.json()) as ServerView[];
    expect(Object.keys(server ?? {})).toEqual(
      expect.arrayContaining(['id', 'app_id', 'process_type', 'process_command', 'created_at', 'updated_at', 'namespace', 'server_status', 'primitives_status', 'tools']),
    );
    expect(server?.tools[0]).toMatchObject({ name: 'alpha', namespaced_name: 'mcp-paged/alpha', annotations: { readOnlyHint: true } });
  });

  it.each([
    ['no key', {}],
    ['a wrong key', { authorization: 'Bearer inf-00000000-0000-0000-0000-000000000000' }],
    ['a non-bearer scheme', { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }],
  ])('refuses %s with 401 and WWW-Authenticate: Bearer', async (_case, headers) => {
    const response = await fetch(`${hub.url}/v1/mcp/servers`, { headers });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('refuses a foreign Origin with 403 and allows loopback origins', async () => {
    const auth = { authorization: `Bearer ${key}` };
    const foreign = await fetch(`${hub.url}/v1/mcp/servers`, { headers: { ...auth, origin: 'https://evil.example.com' } });
    expect(foreign.status).toBe(403);
    const local = await fetch(`${hub.url}/v1/mcp/servers`, { headers: { ...auth, origin: 'http://localhost:5173' } });
    expect(local.status).toBe(200);
  });

  it('refuses a foreign Host (DNS rebinding) with a 4xx', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${hub.url}/health`, { headers: { host: 'evil.example.com' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
  });

  it('refuses the admin API without the admin token, and oversized bodies with 413', async () => {
    const token = JSON.parse(readFileSync(join(home, 'hub.json'), 'utf8')).token as string;
    expect((await fetch(`${hub.url}/api/apps.list`, { method: 'POST', headers: { authorization: `Bearer ${key}` } })).status).toBe(401);
    const big = await fetch(`${hub.url}/api/apps.list`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ padding: 'x'.repeat(5 * 1024 * 1024) }),
    });
    expect(big.status).toBe(413);
    for (const body of ['null', '{"unclosed":']) {
      const bad = await fetch(`${hub.url}/api/apps.list`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ error: { code: 'invalid_input', message: 'the body is not a JSON object (send {} for none)' } });
    }
    expect((await fetch(`${hub.url}/health`)).status).toBe(200);
  });

  it('runs CLI commands through the running hub', async () => {
    const servers = JSON.parse((await cli(home, ['servers', '--json'])).stdout) as ServerView[];
    const viaHttp = (await (await fetch(`${hub.url}/v1/mcp/servers`, { headers: { authorization: `Bearer ${key}` } })).json()) as ServerView[];
    expect(servers).toEqual(viaHttp);
    const call = await cli(home, ['call', 'beta', '--args', '{"text":"via hub"}']);
    expect(JSON.parse(call.stdout).content[0].text).toBe('beta: via hub');
    expect((await cli(home, ['key'])).stdout).toContain(`INFERENCE_URL=${hub.url} `);
    const refused = await cli(home, ['apps:add', '/nonexistent']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('procdock: /nonexistent: no such folder');
    // Long work through the hub: the answer comes after a whole build, and its progress from the first step.
    const other = makeFixtureApp('mcp-other: node paged.mjs\n', ['paged.mjs'], { 'notes.txt': 'another app' }, 'other');
    const added = await cli(home, ['apps:add', other, '--name', 'other']);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stderr).toMatch(/^Step 1\/\d+ : FROM /m);
    expect(added.stdout).toMatch(/mcp-other: node paged\.mjs {2}\[synced, \d+ tools?\]/);
    expect((await cli(home, ['apps:remove', 'other'])).stdout).toContain('Removed other.');
    // A model resource without its key is refused before any request, naming what is missing.
    const agent = await cli(home, ['agent', 'say hi']);
    expect(agent.code).toBe(1);
    expect(agent.stderr).toMatch(/^procdock: no API key: model resource "default" .*has none/);
  });

  it('refuses a second hub on the same data dir', async () => {
    const second = await cli(home, ['serve', '--port', '0']);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`a hub already runs for ${home} at ${hub.url} (pid ${hub.child.pid})`);
  });

  it('stops on SIGTERM and releases the data dir', async () => {
    expect(await hub.stop()).toBe(0);
    expect(existsSync(join(home, 'hub.json'))).toBe(false);
    const direct = await cli(home, ['apps', '--json']);
    expect(JSON.parse(direct.stdout)).toHaveLength(1);
    expect((await cli(home, ['agent', 'say hi'])).stderr).toMatch(/^procdock: no API key: model resource "default" .*has none/);
  });

  it('takes over the data dir from a hub that was killed', async () => {
    const killed = await serveHub(home);
    killed.child.kill('SIGKILL');
    await new Promise((resolve) => killed.child.once('exit', resolve));
    expect(existsSync(join(home, 'hub.json'))).toBe(true);
    const next = await serveHub(home);
    expect(JSON.parse(readFileSync(join(home, 'hub.json'), 'utf8')).pid).toBe(next.child.pid);
    expect(await next.stop()).toBe(0);
  });

  it('procdock start without an Electron runtime says so, takes a free port when 7420 is busy, and serves the web UI', async () => {
    const home = freshHome();
    // Hold 7420 (or find it held already): start must not depend on it being free.
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.once('error', () => resolve()).listen(7420, '127.0.0.1', () => resolve()));
    const child = spawn(process.execPath, [join(root, 'bin', 'procdock'), 'start'], {
      env: { ...testEnv(home, { PROCDOCK_LOG_LEVEL: 'warn' }), PATH: '/nonexistent' },
    });
    let output = '';
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(output)), 20_000);
        const read = (chunk: Buffer) => {
          output += chunk.toString();
          const match = /INFERENCE_URL=(\S+)/.exec(output);
          if (match?.[1]) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        };
        child.stdout.on('data', read);
        child.stderr.on('data', read);
      });
      expect(output).toContain('No Electron runtime is installed: running the hub with its web UI instead');
      expect(output).toContain('Port 7420 is in use: listening on');
      expect(url).not.toMatch(/:7420$/);
      expect(JSON.parse(readFileSync(join(home, 'hub.json'), 'utf8')).url).toBe(url);
      expect((await fetch(`${url}/`)).status).toBe(200);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      blocker.close();
    }
  });
});
