import { getEventListeners } from 'node:events';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hub } from '../src/hub/hub.js';
import { ProcessSandbox } from '../src/sandbox/process-sandbox.js';
import type { SandboxProcess, ServerLaunch } from '../src/sandbox/sandbox.js';
import type { CallRecordView, HubInfo, ServerView } from '../src/shared/api.js';
import { cleanupTempDirs, cli, fixture, freshHome, makeApp, tempDir } from './helpers.js';
import { serveHub } from './hub-process.js';

/** The process sandbox, only when the user picks it: plain child processes, shown as unsandboxed. */
const processSandbox = { PROCDOCK_SANDBOX: 'process' };

describe('the process sandbox (PROCDOCK_SANDBOX=process)', () => {
  let home: string;

  beforeAll(async () => {
    home = freshHome();
    const app = makeApp({ Procfile: `mcp-everything: mcp-server-everything stdio\nmcp-paged: ${fixture('paged.mjs')}\n` }, 'plain');
    const added = await cli(home, ['apps:add', app, '--json'], processSandbox);
    expect(added.code, added.stderr).toBe(0);
  });
  afterAll(cleanupTempDirs);

  it('runs a real npm server by its bin name from the app’s node_modules/.bin', async () => {
    const run = await cli(home, ['call', 'echo', '--args', '{"message":"plain"}'], processSandbox);
    expect(JSON.parse(run.stdout)).toEqual({ content: [{ type: 'text', text: 'Echo: plain' }] });
    expect(run.stderr).toMatch(/plain\/mcp-everything in process sandbox: total/);
  });

  it('records its calls as unsandboxed plain processes', async () => {
    const [call] = JSON.parse((await cli(home, ['calls', '--json', '--limit', '1'], processSandbox)).stdout) as CallRecordView[];
    expect(call).toMatchObject({ tool: 'echo', sandbox: 'process', status: 'ok' });
    expect(call?.container_id).toMatch(/^pid:\d+$/);
  });

  it('gives a server its config vars and none of the host’s other variables', async () => {
    await cli(home, ['config:set', 'plain', 'VISIBLE=yes'], processSandbox);
    const seen = async (name: string) =>
      (JSON.parse((await cli(home, ['call', 'env', '--args', JSON.stringify({ text: name })], { ...processSandbox, HOST_SECRET: 'leaked' })).stdout) as {
        structuredContent: { value: string };
      }).structuredContent.value;
    expect(await seen('VISIBLE')).toBe('yes');
    expect(await seen('HOST_SECRET')).toBe('(unset)');
  });

  it('turns a crash into an isError result', async () => {
    const run = await cli(home, ['call', 'crash'], processSandbox);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/the server exited with code 7/);
  });

  it('says it is unsandboxed wherever the hub shows itself', async () => {
    const hub = await serveHub(home, [], processSandbox);
    try {
      expect(hub.output()).toContain('Sandbox:  process (UNSANDBOXED: servers run as plain processes)');
      const info = (await (await fetch(`${hub.url}/api/hub.info`, { method: 'POST', headers: { authorization: `Bearer ${hub.adminToken()}` } })).json()) as HubInfo;
      expect(info.sandbox).toMatchObject({ kind: 'process', sandboxed: false });
      const servers = JSON.parse((await cli(home, ['servers', '--json'], processSandbox)).stdout) as ServerView[];
      expect(servers.map((s) => s.primitives_status)).toEqual(['synced', 'synced']);
    } finally {
      await hub.stop();
    }
  });

  it('starts none of the syncs still waiting their turn once their app is removed', async () => {
    // A Procfile of many servers queues their syncs (four at a time); apps:remove used to leave the
    // queue running, each starting a server of an app that was gone.
    const syncs: string[] = [];
    class Counting extends ProcessSandbox {
      override launch(spec: ServerLaunch, signal?: AbortSignal): Promise<SandboxProcess> {
        if (spec.purpose === 'sync') syncs.push(spec.processType);
        return super.launch(spec, signal);
      }
    }
    const home = tempDir();
    const hub = new Hub({ dataDir: home, sandbox: new Counting() });
    await hub.start();
    try {
      const procfile = Array.from({ length: 24 }, (_, i) => `mcp-p${i}: ${fixture('paged.mjs')}\n`).join('');
      const adding = hub.run('apps.add', { path: makeApp({ Procfile: procfile }, 'queued') }).catch(() => undefined);
      for (let i = 0; i < 400 && syncs.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(syncs.length).toBeGreaterThan(0);
      await hub.run('apps.remove', { name: 'queued' });
      const started = syncs.length;
      await adding;
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(started).toBeLessThanOrEqual(8);
      expect(syncs).toHaveLength(started);
      expect(await hub.run('apps.list', {})).toEqual([]);
    } finally {
      await hub.close();
    }
  });

  it('leaves no listener on the hub’s stop signal after its syncs are done', async () => {
    // Each sync's requests used to hang a listener on the one signal the hub stops syncs with, for
    // the hub's lifetime: a leak, and Node's MaxListenersExceededWarning at the 11th.
    const hub = new Hub({ dataDir: join(tempDir(), 'home'), sandbox: new ProcessSandbox() });
    await hub.start();
    try {
      const procfile = Array.from({ length: 6 }, (_, i) => `mcp-l${i}: ${fixture('paged.mjs')}\n`).join('');
      await hub.run('apps.add', { path: makeApp({ Procfile: procfile }, 'listened') });
      await hub.run('sync', { app: 'listened' });
      const stopping = (hub['toolSync'] as unknown as { stopping: AbortController }).stopping.signal;
      expect(getEventListeners(stopping, 'abort')).toHaveLength(0);
    } finally {
      await hub.close();
    }
  });

  it('stops in the middle of syncs: the add fails saying so, nothing is written after, the next start calls them interrupted', async () => {
    const home = tempDir();
    let launched = 0;
    class Counting extends ProcessSandbox {
      override launch(spec: ServerLaunch, signal?: AbortSignal): Promise<SandboxProcess> {
        launched++;
        return super.launch(spec, signal);
      }
    }
    const hub = new Hub({ dataDir: home, sandbox: new Counting() });
    await hub.start();
    const procfile = Array.from({ length: 12 }, (_, i) => `mcp-p${i}: ${fixture('paged.mjs')}\n`).join('');
    const adding = hub.run('apps.add', { path: makeApp({ Procfile: procfile }, 'stopped') }).then(
      () => 'added',
      (error: Error) => error.message,
    );
    for (let i = 0; i < 400 && launched === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    await hub.close();
    // It used to fail with "The database connection is not open", logged as a bug.
    expect(await adding).toBe('the hub stopped before apps.add was done: run it again');
    const next = new Hub({ dataDir: home, sandbox: new ProcessSandbox() });
    next.recoverInterrupted();
    try {
      const servers = (await next.run('servers.list', {})) as ServerView[];
      expect(servers).toHaveLength(12);
      expect(servers.filter((s) => s.primitives_status === 'syncing')).toEqual([]);
    } finally {
      await next.close();
    }
  });
});
