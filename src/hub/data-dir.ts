import { accessSync, appendFileSync, constants, mkdirSync, renameSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../shared/errors.js';

/** The data dir: `PROCDOCK_HOME` if set, else the OS's per-user app-data folder. */
export function resolveDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PROCDOCK_HOME) return env.PROCDOCK_HOME;
  switch (process.platform) {
    case 'darwin':
      return join(homedir(), 'Library', 'Application Support', 'procdock');
    case 'win32':
      return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'procdock');
    default:
      return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'procdock');
  }
}

/**
 * Creates the data dir (mode 0700) if it is missing and checks that it can be used. Whichever
 * command comes first calls this. A folder that cannot be used is refused with what to do.
 */
export function ensureDataDir(dataDir: string): string {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new AppError('data_dir', `cannot create the data dir ${dataDir}: ${reason(error)}; set PROCDOCK_HOME to a folder you own`);
  }
  if (!statSync(dataDir).isDirectory()) {
    throw new AppError('data_dir', `the data dir ${dataDir} is not a folder: move it away or set PROCDOCK_HOME`);
  }
  try {
    accessSync(dataDir, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (error) {
    throw new AppError('data_dir', `cannot write to the data dir ${dataDir}: ${reason(error)}; fix its permissions or set PROCDOCK_HOME`);
  }
  return dataDir;
}

const maxLogBytes = 5 * 1024 * 1024;

/** The log in the data dir that holds the traces of unexpected errors. */
export function logFilePath(dataDir: string): string {
  return join(dataDir, 'procdock.log');
}

/**
 * Appends an unexpected error's trace to the data dir's log (the temp folder's when the data dir
 * cannot be written) and returns the file it went to. The log is rotated past 5 MiB.
 */
export function logUnexpected(dataDir: string, context: string, error: unknown): string {
  const entry = `${new Date().toISOString()} ${context}\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n\n`;
  for (const file of [logFilePath(dataDir), join(tmpdir(), 'procdock.log')]) {
    try {
      if ((statSync(file, { throwIfNoEntry: false })?.size ?? 0) > maxLogBytes) renameSync(file, `${file}.1`);
      appendFileSync(file, entry, { mode: 0o600 });
      return file;
    } catch {
      // try the next place
    }
  }
  return '(nowhere: neither the data dir nor the temp folder can be written)';
}

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOTDIR') return 'a part of the path is a file';
  if (code === 'EROFS') return 'the file system is read-only';
  return error instanceof Error ? error.message : String(error);
}
