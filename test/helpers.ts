import { execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const fixtureServers = join(root, 'test', 'fixtures', 'servers');

const made: string[] = [];

export function tempDir(prefix = 'procdock-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function cleanupTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * Makes an app folder from files; its node_modules links to this checkout's, so Procfile commands
 * like `mcp-server-everything` resolve as they do in an app that installed its dependencies.
 */
export function makeApp(files: Record<string, string>, name = 'app'): string {
  const dir = join(tempDir(), name);
  mkdirSync(dir, { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

/** An app folder holding copies of fixture servers (for images, which cannot see this checkout). */
export function makeFixtureApp(procfile: string, servers: string[], extra: Record<string, string> = {}, name = 'app'): string {
  const files: Record<string, string> = { Procfile: procfile, ...extra };
  for (const server of [...servers, 'mini-mcp.mjs']) files[server] = readFileSync(join(fixtureServers, server), 'utf8');
  const dir = join(tempDir(), name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

export function fixture(name: string): string {
  return `node ${JSON.stringify(join(fixtureServers, name))}`;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `bin/procdock` with its own data dir and nothing of the outer hub's environment. The
 * process sandbox is the default here; suites about containers pass `PROCDOCK_SANDBOX: 'docker'`.
 */
export function cli(home: string, args: string[], env: Record<string, string> = {}, input = ''): Promise<CliResult> {
  return new Promise((resolvePromise) => {
    const child = execFile(
      process.execPath,
      [join(root, 'bin', 'procdock'), ...args],
      { env: { PATH: process.env.PATH ?? '', HOME: home, PROCDOCK_HOME: home, PROCDOCK_SANDBOX: 'process', ...env }, timeout: 180_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolvePromise({ code, stdout, stderr });
      },
    );
    child.stdin?.end(input);
  });
}

/** Every row of every table, for asserting that a refused command changed nothing. */
export function dumpCatalog(home: string): Record<string, unknown[]> {
  const db = new Database(join(home, 'procdock.db'), { readonly: true });
  try {
    const tables = db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all();
    return Object.fromEntries(tables.map(({ name }) => [name, db.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all()]));
  } finally {
    db.close();
  }
}
