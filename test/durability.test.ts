import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { CallRecordView, ServerView } from '../src/shared/api.js';
import { dockerEngine } from './docker.js';
import { cleanupTempDirs, cli, freshHome, makeFixtureApp, root, testEnv } from './helpers.js';
import { serveHub } from './hub-process.js';

const docker = await dockerEngine();

afterAll(cleanupTempDirs);

/** The moments of `apps:add` and `call` a kill should land in, read off the catalog as they happen. */
const moments: [string, string][] = [
  ['the app is registered', "SELECT 1 FROM apps WHERE name = @app"],
  ['its image builds', "SELECT 1 FROM apps WHERE name = @app AND build_status = 'building'"],
  ['its servers sync', "SELECT 1 FROM servers s JOIN apps a ON a.id = s.app_id WHERE a.name = @app AND s.primitives_status = 'syncing' AND a.build_status = 'built'"],
  ['one server is synced, the other not', "SELECT 1 FROM servers s JOIN apps a ON a.id = s.app_id WHERE a.name = @app GROUP BY a.id HAVING SUM(s.primitives_status = 'synced') = 1 AND SUM(s.primitives_status = 'syncing') = 1"],
];

/** Runs the CLI and SIGKILLs it the moment `query` first finds a row; says whether it landed there. */
async function killWhen(home: string, args: string[], query: string, params: Record<string, string>): Promise<boolean> {
  const child = spawn(process.execPath, [join(root, 'bin', 'procdock'), ...args], { env: testEnv(home), stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let landed = false;
  let db: Database.Database | undefined;
  try {
    while (child.exitCode === null && !landed) {
      if (!db && existsSync(join(home, 'procdock.db'))) db = new Database(join(home, 'procdock.db'), { readonly: true, fileMustExist: true });
      try {
        landed = db !== undefined && db.prepare(query).get(params) !== undefined;
      } catch {
        // the schema is still being written
      }
      if (!landed) await new Promise((resolve) => setTimeout(resolve, 2));
    }
  } finally {
    db?.close();
  }
  if (landed) child.kill('SIGKILL');
  await exited;
  return landed;
}

describe.skipIf(!docker)('a CLI killed in the middle of its work', () => {
  it('leaves a consistent catalog, and the next hub ends what was half-done and syncs it again', async () => {
    const home = freshHome();
    let landed = 0;
    for (const [i, [, query]] of moments.entries()) {
      // The second server takes a moment to start, so the moment between the two syncs is there to hit.
      const app = makeFixtureApp(`mcp-a${i}: node paged.mjs\nmcp-b${i}: node -e "setTimeout(() => {}, 1500)" && node probe.mjs\n`, ['paged.mjs', 'probe.mjs'], {}, `app${i}`);
      if (await killWhen(home, ['apps:add', app, '--name', `app${i}`], query, { app: `app${i}` })) landed++;
    }
    // A call in flight: the kill lands while its container runs.
    const caller = makeFixtureApp('mcp-caller: node probe.mjs\n', ['probe.mjs'], {}, 'caller');
    expect((await cli(home, ['apps:add', caller])).code).toBe(0);
    // Once the approval policy has let it run: the log keeps that decision (it showed none before).
    const running = "SELECT 1 FROM calls WHERE status = 'running' AND decision IS NOT NULL";
    const callKilled = await killWhen(home, ['call', 'mcp-caller/slow', '--args', '{"ms":30000}'], running, {});
    expect({ landed, callKilled }).toEqual({ landed: moments.length, callKilled: true });

    const db = new Database(join(home, 'procdock.db'), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(db.prepare('SELECT name FROM apps WHERE id NOT IN (SELECT app_id FROM servers)').all()).toEqual([]);
    db.close();

    // A real restart: the hub that takes the data dir over ends what the killed commands left running.
    const hub = await serveHub(home);
    try {
      const servers = JSON.parse((await cli(home, ['servers', '--json'])).stdout) as ServerView[];
      expect(servers.filter((s) => s.primitives_status === 'syncing')).toEqual([]);
      expect(servers.filter((s) => s.primitives_status === 'error').length).toBeGreaterThan(0);
      for (const server of servers.filter((s) => s.primitives_status === 'error')) expect(server.primitives_error).toContain('interrupted');
      const [call] = JSON.parse((await cli(home, ['calls', '--json', '--limit', '1'])).stdout) as CallRecordView[];
      expect(call).toMatchObject({ tool: 'slow', status: 'error', error: 'the hub stopped during this call', decision: 'allowed by default' });

      const synced = await cli(home, ['sync', '--json']);
      expect(synced.code, synced.stderr).toBe(0);
      const after = JSON.parse(synced.stdout) as { servers: ServerView[] };
      expect(after.servers.map((s) => s.primitives_status)).toEqual(after.servers.map(() => 'synced'));
    } finally {
      await hub.stop();
    }
  }, 240_000);
});
