import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppView, DoctorCheck, ServerView, SyncResult } from '../src/shared/api.js';
import { dockerEngine, testNodeImage } from './docker.js';
import { cleanupTempDirs, cli, dumpCatalog, fixtureFiles, freshHome, makeFixtureApp, root, tempDir, testEnv, writeApp } from './helpers.js';

const docker = await dockerEngine();

afterAll(cleanupTempDirs);

describe.skipIf(!docker)('edits to an app reach the hub on sync and apps:build', () => {
  let home: string;
  let app: string;
  const procfile = (text: string) => writeFileSync(join(app, 'Procfile'), text);

  beforeAll(async () => {
    home = freshHome();
    app = makeFixtureApp('mcp-a: node paged.mjs\n', ['paged.mjs', 'probe.mjs'], {}, 'edited');
    expect((await cli(home, ['apps:add', app])).code).toBe(0);
    expect((await cli(home, ['config:set', 'edited', 'KEEP=me'])).code).toBe(0);
    expect((await cli(home, ['models:create', 'work', '--provider', 'openai', '--model', 'm'])).code).toBe(0);
    expect((await cli(home, ['attach', 'edited', '--resource', 'work'])).code).toBe(0);
  });

  it('applies a new process, a changed command and changed settings, keeping config vars and attachments', async () => {
    procfile('mcp-a: node paged.mjs --again\nmcp-b: node probe.mjs\n');
    writeFileSync(join(app, 'procdock.json'), JSON.stringify({ servers: { 'mcp-a': { ttl_seconds: 30 } } }));
    const run = await cli(home, ['sync', 'edited']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('edited/mcp-b: added: node probe.mjs');
    expect(run.stdout).toContain('edited/mcp-a: command changed: node paged.mjs → node paged.mjs --again');
    expect(run.stdout).toContain('edited/mcp-a: procdock.json changed: ttl_seconds 120 → 30');
    const servers = JSON.parse((await cli(home, ['servers', '--json'])).stdout) as ServerView[];
    expect(servers.map((s) => [s.process_type, s.process_command, s.primitives_status])).toEqual([
      ['mcp-a', 'node paged.mjs --again', 'synced'],
      ['mcp-b', 'node probe.mjs', 'synced'],
    ]);
    // The new process runs, with the config vars the app had.
    const env = await cli(home, ['call', 'mcp-b/env']);
    expect(env.stdout).toContain('KEEP');
    const [listed] = JSON.parse((await cli(home, ['apps', '--json'])).stdout) as AppView[];
    expect(listed!.resources.sort()).toEqual(['default', 'work']);
  });

  it('drops a process gone from the Procfile on apps:build, and says so', async () => {
    procfile('mcp-a: node paged.mjs --again\n');
    const run = await cli(home, ['apps:build', 'edited', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const built = JSON.parse(run.stdout) as AppView;
    expect(built.changes).toEqual([{ app: 'edited', process: 'mcp-b', what: 'removed (no longer in the Procfile)' }]);
    expect(built.servers.map((s) => s.process_type)).toEqual(['mcp-a']);
    expect((await cli(home, ['config', 'edited'])).stdout).toContain('KEEP=me');
  });

  it('refuses a malformed Procfile or a clash on sync, changing nothing, and syncs the other apps', async () => {
    const other = makeFixtureApp('mcp-other: node paged.mjs\n', ['paged.mjs'], {}, 'other');
    expect((await cli(home, ['apps:add', other])).code).toBe(0);
    procfile('mcp-a: node paged.mjs\nthis is not a process line\n');
    const before = dumpCatalog(home);
    const one = await cli(home, ['sync', 'edited']);
    expect(one.code).toBe(1);
    expect(one.stderr).toMatch(/Procfile:2: malformed line "this is not a process line"/);
    expect(dumpCatalog(home)).toEqual(before);

    procfile('mcp-a: node paged.mjs\nmcp-other: node paged.mjs\n');
    const clash = await cli(home, ['sync', 'edited']);
    expect(clash.stderr).toMatch(/process "mcp-other" is in both app "other" and app "edited"/);

    const all = JSON.parse((await cli(home, ['sync', '--json'])).stdout) as SyncResult;
    expect(all.changes).toEqual([expect.objectContaining({ app: 'edited', refused: true, what: expect.stringMatching(/^not re-read: .*mcp-other/) })]);
    expect(all.servers.find((s) => s.process_type === 'mcp-other')?.primitives_status).toBe('synced');
  });
});

describe.skipIf(!docker)('a rebuild that fails', () => {
  it('leaves the servers serving from the image built before, says so, and the next good build clears it', async () => {
    const home = freshHome();
    const app = makeFixtureApp('mcp-a: node paged.mjs\n', ['paged.mjs'], {}, 'steady');
    expect((await cli(home, ['apps:add', app])).code).toBe(0);
    // A shell without the base image the app was built on: the engine cannot have the one it names.
    const failed = await cli(home, ['sync', 'steady'], { PROCDOCK_BASE_IMAGE_NODE: 'procdock-test/absent:1' });
    expect(failed.code, failed.stderr).toBe(1);
    expect(failed.stdout).toMatch(/^steady: its image did not build \(.*procdock-test\/absent:1.*\): its servers go on with the image built before; fix it, then: procdock apps:build steady$/m);
    const servers = JSON.parse((await cli(home, ['servers', '--json'])).stdout) as ServerView[];
    expect(servers.map((s) => [s.process_type, s.primitives_status, s.tools.length])).toEqual([['mcp-a', 'synced', 5]]);
    const [listed] = JSON.parse((await cli(home, ['apps', '--json'])).stdout) as AppView[];
    expect(listed).toMatchObject({ build_status: 'error', build_error: expect.stringContaining('procdock-test/absent:1') });
    const call = await cli(home, ['call', 'mcp-a/alpha', '--args', '{"text":"still here"}']);
    expect(call.stdout, call.stderr).toContain('alpha: still here');

    const rebuilt = await cli(home, ['apps:build', 'steady', '--json']);
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(JSON.parse(rebuilt.stdout)).toMatchObject({ build_status: 'built', changes: [] });
  });
});

describe.skipIf(!docker)('images as users expect them', () => {
  it('builds an app’s own Dockerfile from what docker build . would send: vendored node_modules and symlinks included', async () => {
    const home = freshHome();
    const app = writeApp({
      Procfile: 'mcp-vendored: mini-server\n',
      Dockerfile: `FROM ${testNodeImage}\nWORKDIR /app\nCOPY . /app\nENV PATH=/app/node_modules/.bin:$PATH\n`,
      '.dockerignore': 'notes.txt\n',
      'notes.txt': 'not sent',
      ...Object.fromEntries(Object.entries(fixtureFiles('paged.mjs')).map(([name, text]) => [`node_modules/mini-server/${name}`, text])),
      'node_modules/mini-server/package.json': JSON.stringify({ name: 'mini-server', bin: { 'mini-server': 'paged.mjs' } }),
    });
    const server = join(app, 'node_modules', 'mini-server', 'paged.mjs');
    writeFileSync(server, `#!/usr/bin/env node\n${readFileSync(server, 'utf8')}`);
    chmodSync(server, 0o755);
    mkdirSync(join(app, 'node_modules', '.bin'));
    symlinkSync('../mini-server/paged.mjs', join(app, 'node_modules', '.bin', 'mini-server'));
    const added = await cli(home, ['apps:add', app, '--json']);
    expect(added.code, added.stdout + added.stderr).toBe(0);
    expect((JSON.parse(added.stdout) as AppView).servers[0]).toMatchObject({ primitives_status: 'synced', tools: 5 });
    expect(JSON.parse((await cli(home, ['call', 'alpha', '--args', '{"text":"vendored"}'])).stdout).content[0].text).toBe('alpha: vendored');
  });

  it('names a base image that cannot be had, and the variable that picks another', async () => {
    const home = freshHome();
    const app = makeFixtureApp('mcp-x: node paged.mjs\n', ['paged.mjs'], { 'package.json': '{"name":"x"}' }, 'nobase');
    const run = await cli(home, ['apps:add', app], { PROCDOCK_BASE_IMAGE_NODE: 'procdock-test/no-such-image:1' });
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).toMatch(
      /the node base image procdock-test\/no-such-image:1 is not on the Docker engine and cannot be pulled .*set PROCDOCK_BASE_IMAGE_NODE to an image the engine has/,
    );
  });
});

describe.skipIf(!docker)('procdock doctor', () => {
  it('checks each thing Procdock needs, and names the fix for what is missing', async () => {
    const home = freshHome();
    const ok = await cli(home, ['doctor', '--json', '--port', '0']);
    const checks = JSON.parse(ok.stdout) as DoctorCheck[];
    expect(checks.map((c) => c.id)).toEqual(['node', 'engine', 'base-images', 'data-dir', 'port', 'electron', 'chromium']);
    expect(checks.find((c) => c.id === 'engine')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^Docker Engine \d+\.\d+.* \(API \d/) });
    // Only node's base image was built here; the others cannot be pulled without a registry.
    expect(checks.find((c) => c.id === 'base-images')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining(`node ${testNodeImage} present`),
      fix: expect.stringContaining('set PROCDOCK_BASE_IMAGE_PYTHON to an image you have'),
    });
    // Why pulling failed is said once, not once per image.
    const fix = checks.find((c) => c.id === 'base-images')!.fix!;
    const said = fix.split('Pulling failed: ')[1] ?? '';
    for (const reason of said.split('; ')) expect(fix.split(reason).length - 1, reason).toBe(1);
    expect(checks.find((c) => c.id === 'data-dir')).toMatchObject({ status: 'ok', detail: `${home} (writable)` });

    const down = await cli(home, ['doctor'], { DOCKER_HOST: `unix://${join(tempDir(), 'no-engine.sock')}` });
    expect(down.code).toBe(1);
    expect(down.stdout).toMatch(/✗ Docker engine: no Docker engine: .*\n {4}fix: start Docker/);
  });
});

describe('the data dir and unexpected errors', () => {
  it('creates the data dir on first use with mode 0700', async () => {
    const home = freshHome();
    expect((await cli(home, ['apps', '--json'])).stdout.trim()).toBe('[]');
    const { statSync } = await import('node:fs');
    expect(statSync(home).mode & 0o777).toBe(0o700);
  });

  it('says in one line what is wrong with a data dir it cannot use', async () => {
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, '');
    const notDir = await cli(file, ['apps']);
    expect(notDir.code).toBe(1);
    expect(notDir.stderr.trim()).toMatch(/^procdock: (cannot create the data dir|the data dir) .*a-file/);
    expect(notDir.stderr.trim().split('\n')).toHaveLength(1);

    const home = freshHome();
    mkdirSync(home);
    writeFileSync(join(home, 'procdock.db'), 'this is not a database, just some text that is long enough to look like a header');
    const corrupt = await cli(home, ['apps']);
    expect(corrupt.code).toBe(1);
    expect(corrupt.stderr.trim()).toMatch(/^procdock: .*procdock\.db is not a readable Procdock catalog .*move it away/);
    expect(corrupt.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('answers --help and the list commands from its small entry as the full CLI would, and hands it what it does not know', async () => {
    const home = freshHome();
    const help = await cli(home, ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toBe((await cli(home, ['help'])).stdout);
    expect(help.stdout).toMatch(/^Usage: procdock \[options\] \[command\]\n[\s\S]*\n {2}calls \[options\] +the call log/);
    expect(JSON.parse((await cli(home, ['calls', '--json', '--limit=3'])).stdout)).toEqual([]);
    expect(JSON.parse((await cli(home, ['servers', '--resource', 'default', '--json'])).stdout)).toEqual([]);
    // A usage mistake is one line, as every failure: what was wrong, and where the usage is.
    const bad = await cli(home, ['calls', '--limit', '0']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toBe("procdock: option '--limit <n>' argument '0' is invalid. expected a whole number above 0 (see procdock calls --help)\n");
    const unknown = await cli(home, ['apps', '--verbose']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toBe("procdock: unknown option '--verbose' (see procdock apps --help)\n");
    expect((await cli(home, ['nonsense'])).stderr).toBe("procdock: unknown command 'nonsense' (see procdock --help)\n");
  });

  it('stops quietly when what reads its output goes away (`procdock --help | true`)', async () => {
    const home = freshHome();
    // The small entry (--help and the list commands) and the full CLI (help, models) alike.
    for (const command of ['--help', 'calls --json', 'apps', 'help', 'models']) {
      // `true` exits at once, long before procdock writes: its write meets a closed pipe (EPIPE).
      const run = await new Promise<{ code: number | null; stderr: string }>((resolvePromise) => {
        execFile('bash', ['-c', `set -o pipefail; "${process.execPath}" "${join(root, 'bin/procdock')}" ${command} | true`], { env: testEnv(home) }, (error, _stdout, stderr) =>
          resolvePromise({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stderr }),
        );
      });
      expect(run, command).toEqual({ code: 0, stderr: '' });
    }
    // Its one line of failure into a pipe already closed (`2>&1 | true`): the same failure, no trace logged.
    const failed = await new Promise<number | null>((resolvePromise) => {
      execFile('bash', ['-c', `set -o pipefail; "${process.execPath}" "${join(root, 'bin/procdock')}" apps:remove nope 2>&1 | true`], { env: testEnv(home) }, (error) =>
        resolvePromise(error ? (typeof error.code === 'number' ? error.code : 1) : 0),
      );
    });
    expect(failed).toBe(1);
    const log = join(home, 'procdock.log');
    expect(existsSync(log) ? readFileSync(log, 'utf8') : '').not.toContain('EPIPE');
  });

  it('prints one line and the log file for an unexpected error; the trace is in the log', async () => {
    const home = freshHome();
    mkdirSync(join(home, 'secret.key'), { recursive: true });
    const run = await cli(home, ['apps']);
    expect(run.code).toBe(1);
    const line = run.stderr.trim();
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toMatch(/^procdock: unexpected error: .*EISDIR.* \(the trace is in .*procdock\.log\)$/);
    const log = readFileSync(join(home, 'procdock.log'), 'utf8');
    expect(log).toContain('procdock apps failed');
    expect(log).toMatch(/EISDIR[\s\S]*\n\s+at /);
  });
});
