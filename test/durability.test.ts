import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { Hub } from '../src/hub/hub.js';
import { ProcessSandbox } from '../src/sandbox/process-sandbox.js';
import { cleanupTempDirs, fixture, makeApp, root, tempDir } from './helpers.js';

afterAll(cleanupTempDirs);

describe('a hung server', () => {
  it('is marked error when it does not answer initialize in time, and the hub goes on', async () => {
    const home = tempDir();
    const hub = new Hub({ dataDir: home, initTimeoutMs: 1500, sandbox: new ProcessSandbox() });
    try {
      const silent = makeApp({ Procfile: `mcp-silent: ${fixture('silent.mjs')}\n` }, 'silent');
      const app = await hub.run('apps.add', { path: silent });
      expect(app.servers[0]?.primitives_status).toBe('error');
      const [server] = await hub.run('servers.list', {});
      expect(server?.primitives_error).toMatch(/silent\/mcp-silent: initialize failed: the server did not answer in time/);
      const good = makeApp({ Procfile: `mcp-paged: ${fixture('paged.mjs')}\n` }, 'good');
      await hub.run('apps.add', { path: good });
      const { result } = await hub.run('call', { tool: 'alpha', args: { text: 'still here' } });
      expect(result.content).toEqual([{ type: 'text', text: 'alpha: still here' }]);
    } finally {
      await hub.close();
    }
  });
});

describe('a process killed at any moment', () => {
  it('leaves a consistent catalog, and the next hub closes what was left half-done', async () => {
    const home = tempDir();
    const delays = [30, 120, 250, 400, 600, 900];
    for (const [i, delay] of delays.entries()) {
      const app = makeApp({ Procfile: `mcp-e${i}: mcp-server-everything stdio\nmcp-p${i}: ${fixture('paged.mjs')}\n` }, `app${i}`);
      const child = spawn(process.execPath, [join(root, 'bin', 'procdock'), 'apps:add', app, '--name', `app${i}`], {
        env: { PATH: process.env.PATH ?? '', HOME: home, PROCDOCK_HOME: home, PROCDOCK_SANDBOX: 'process' },
        stdio: 'ignore',
      });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await new Promise((resolve) => setTimeout(resolve, delay));
      child.kill('SIGKILL');
      await exited;
    }
    const db = new Database(join(home, 'procdock.db'), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
    const orphanApps = db.prepare('SELECT name FROM apps WHERE id NOT IN (SELECT app_id FROM servers)').all();
    expect(orphanApps).toEqual([]);
    db.close();

    const hub = new Hub({ dataDir: home, sandbox: new ProcessSandbox() });
    const [anyServer] = hub.catalog.servers.list();
    // A call the killed process had begun: the next hub must not leave it "running" for ever.
    hub.catalog.calls.start({
      id: 'interrupted-call',
      resource_name: 'default',
      server_id: anyServer!.id,
      app_name: anyServer!.app_name,
      process_type: anyServer!.process_type,
      tool: 'echo',
      arguments: {},
      sandbox: 'process',
    });
    hub.recoverInterrupted();
    expect(hub.catalog.calls.find('interrupted-call')).toMatchObject({ status: 'error', error: 'the hub stopped during this call' });
    const servers = await hub.run('servers.list', {});
    expect(servers.every((s) => s.primitives_status !== 'syncing')).toBe(true);
    for (const server of servers.filter((s) => s.primitives_status === 'error')) {
      expect(server.primitives_error).toContain('interrupted');
    }
    await hub.close();
  });
});
