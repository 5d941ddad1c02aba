import Database from 'better-sqlite3';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { AppError } from '../shared/errors.js';
import { migrations } from './migrations.js';

export type Db = Database.Database;

/**
 * Opens (creating if needed) the catalog database in `dataDir`: WAL, foreign keys on, every pending
 * migration applied. The caller owns the handle and closes it.
 */
export function openDatabase(dataDir: string): Db {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, 'procdock.db');
  if (!existsSync(file)) writeFileSync(file, '', { mode: 0o600 });
  chmodSync(file, 0o600);
  let db: Db | undefined;
  try {
    db = cacheStatements(new Database(file, addonOptions()));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db);
    return db;
  } catch (error) {
    db?.close();
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw new AppError(
        'data_dir',
        `${file} is not a readable Procdock catalog (${(error as Error).message}): move it away and Procdock starts a fresh one`,
      );
    }
    if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_READONLY' || code === 'SQLITE_PERM') {
      throw new AppError('data_dir', `cannot open ${file} for writing (${(error as Error).message}): fix its permissions`);
    }
    throw error;
  }
}

/**
 * better-sqlite3's compiled addon, named outright where npm builds it: left to find it, the package
 * asks the `bindings` package, which reads a stack trace and tries a dozen paths (3 to 9 ms of a
 * list command's start-up here). No option when it is elsewhere: then it is found the usual way.
 */
function addonOptions(): Database.Options {
  try {
    // The CLI's fast bundle has `require`, which has just resolved the package; the hub is ESM.
    const resolve = typeof require === 'function' ? require.resolve : createRequire(import.meta.url).resolve;
    const nativeBinding = join(dirname(resolve('better-sqlite3')), '../build/Release/better_sqlite3.node');
    return existsSync(nativeBinding) ? { nativeBinding } : {};
  } catch {
    return {};
  }
}

/**
 * Prepares each SQL text once: the repositories ask for their statements at every use, and
 * compiling one again costs more than running it (a warm tool call asks for eight).
 */
function cacheStatements(db: Db): Db {
  const prepare = db.prepare.bind(db);
  const statements = new Map<string, Database.Statement>();
  db.prepare = ((sql: string) => {
    let statement = statements.get(sql);
    if (!statement) statements.set(sql, (statement = prepare(sql)));
    return statement;
  }) as Db['prepare'];
  return db;
}

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new AppError(
      'data_dir',
      `the catalog was written by a newer Procdock (schema ${current}, this one knows ${migrations.length}): upgrade Procdock`,
    );
  }
  migrations.slice(current).forEach((sql, offset) => {
    const version = current + offset + 1;
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${version}`);
    }).immediate();
  });
}

export function nowIso(): string {
  return new Date().toISOString();
}
