import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, type Dirent } from 'node:fs';
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

/** A data dir that does not exist yet, as on a new machine: the first command creates it. */
export function freshHome(): string {
  return join(tempDir(), 'procdock-home');
}

/** The offline node base image the tests build (test/images/build.sh); no registry is needed. */
export const testBaseImage = 'procdock-test/node:20';

/** What every hub and CLI of the tests runs with: the Docker sandbox and the offline base image. */
export function testEnv(home: string, env: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: home, PROCDOCK_HOME: home, PROCDOCK_BASE_IMAGE_NODE: testBaseImage, ...env };
}

/** The version of a package this checkout installed, to pin it in an app's package.json. */
export function installedVersion(name: string): string {
  return (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * An app as a user writes it: a package.json with real npm servers as dependencies (installed in
 * its image at build time) and a Procfile naming their bin names. The package.json is the same
 * for the same dependencies, so the engine's layer cache installs them once.
 */
export function makeNpmApp(procfile: string, dependencies: string[], name = 'app', extra: Record<string, string> = {}): string {
  const pinned = Object.fromEntries([...dependencies].sort().map((dep) => [dep, installedVersion(dep)]));
  const packageJson = JSON.stringify({ name: 'procdock-test-app', private: true, dependencies: pinned }, null, 2);
  return writeApp({ Procfile: procfile, 'package.json': packageJson, ...extra }, name);
}

/** An app folder holding exactly these files. */
export function writeApp(files: Record<string, string>, name = 'app'): string {
  const dir = join(tempDir(), name);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

export function cleanupTempDirs(): void {
  for (const dir of made.splice(0)) {
    recordHomes(dir);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What a hub with this data dir labels its containers, images and volumes with (`procdock.home`). */
export function homeId(dataDir: string): string {
  return createHash('sha256').update(dataDir).digest('hex').slice(0, 12);
}

/**
 * Tells the e2e project's global setup (global-setup.ts) which engine labels this folder's data
 * dirs gave what they made: every folder in it a few levels down, as a hub names its data dir
 * (`procdock.home`, the start of its path's sha256). After the run it removes what they left.
 */
function recordHomes(dir: string): void {
  const file = process.env.PROCDOCK_TEST_HOMES;
  if (!file) return;
  const labels: string[] = [];
  const walk = (folder: string, depth: number) => {
    labels.push(homeId(folder));
    if (depth === 0) return;
    let entries: Dirent[] = [];
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return;
    }
    // Not into node_modules (a link to this checkout's, or an app's own), where no data dir is.
    for (const entry of entries) if (entry.isDirectory() && entry.name !== 'node_modules') walk(join(folder, entry.name), depth - 1);
  };
  walk(dir, 3);
  appendFileSync(file, `${labels.join('\n')}\n`);
}

/**
 * An app folder for the process sandbox: its node_modules links to this checkout's, so Procfile
 * commands like `mcp-server-everything` resolve as they do in an app that installed them.
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
  return writeApp({ Procfile: procfile, ...fixtureFiles(...servers), ...extra }, name);
}

/** The files of fixture servers (and the mini-mcp.mjs they import), to copy into an app. */
export function fixtureFiles(...servers: string[]): Record<string, string> {
  return Object.fromEntries([...servers, 'mini-mcp.mjs'].map((server) => [server, readFileSync(join(fixtureServers, server), 'utf8')]));
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
 * Runs `bin/procdock` as a user would, with its own data dir and nothing of the outer environment:
 * the Docker sandbox (the default) with the offline base image. Suites about the process sandbox
 * pass `PROCDOCK_SANDBOX: 'process'`.
 */
export function cli(home: string, args: string[], env: Record<string, string> = {}, input = '', cwd?: string): Promise<CliResult> {
  return new Promise((resolvePromise) => {
    const child = execFile(
      process.execPath,
      [join(root, 'bin', 'procdock'), ...args],
      { env: testEnv(home, env), timeout: 180_000, ...(cwd ? { cwd } : {}) },
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
