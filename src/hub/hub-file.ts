import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../shared/errors.js';

/** `hub.json`: where the hub that owns a data dir listens, and its admin token. Mode 0600. */
export interface HubFile {
  pid: number;
  url?: string;
  token?: string;
  started_at: string;
}

export function hubFilePath(dataDir: string): string {
  return join(dataDir, 'hub.json');
}

export function readHubFile(dataDir: string): HubFile | undefined {
  try {
    return JSON.parse(readFileSync(hubFilePath(dataDir), 'utf8')) as HubFile;
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Claims the data dir for this process: creates `hub.json` exclusively, taking over one left by a
 * dead hub. Refuses while another live hub owns it.
 */
export function claimDataDir(dataDir: string): void {
  const file = hubFilePath(dataDir);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, JSON.stringify({ pid: process.pid, started_at: new Date().toISOString() }), {
        mode: 0o600,
        flag: 'wx',
      });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const other = readHubFile(dataDir);
      if (other && other.pid !== process.pid && isAlive(other.pid)) {
        throw new AppError(
          'hub_running',
          `a hub already runs for ${dataDir}${other.url ? ` at ${other.url}` : ''} (pid ${other.pid})`,
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new AppError('hub_running', `cannot claim ${dataDir}: ${file} keeps coming back`);
}

export function updateHubFile(dataDir: string, info: HubFile): void {
  writeFileSync(hubFilePath(dataDir), JSON.stringify(info, null, 2), { mode: 0o600 });
}

/** Releases the data dir, if this process still owns it. */
export function releaseDataDir(dataDir: string): void {
  if (readHubFile(dataDir)?.pid === process.pid) rmSync(hubFilePath(dataDir), { force: true });
}
