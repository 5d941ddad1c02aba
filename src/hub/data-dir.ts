import { homedir } from 'node:os';
import { join } from 'node:path';

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
