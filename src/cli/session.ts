import type { ProgressEvent } from '../hub/hub.js';
import { isAlive, readHubFile } from '../hub/hub-file.js';
import { ensureDataDir, resolveDataDir } from '../hub/data-dir.js';
import type { Operations } from '../shared/operations.js';
import type { ReadOperations } from './catalog-reader.js';

/** Operations that also report the progress of long work: following starts before it resolves. */
export interface CliOperations extends Operations {
  onDidProgress(listener: (event: ProgressEvent) => void): (() => void) | Promise<() => void>;
}

/** The hub that runs for the data dir, if one does: its URL and admin token. */
export function runningHub(dataDir = resolveDataDir()): { url: string; token: string } | undefined {
  const running = readHubFile(dataDir);
  return running?.url && running.token && isAlive(running.pid) ? { url: running.url, token: running.token } : undefined;
}

/**
 * Operations for one CLI command: through the running hub of the data dir, or on the data dir
 * itself (created on first use). The hub's modules load only when there is no hub to ask.
 */
export async function withOperations<T>(work: (ops: CliOperations, via: 'hub' | 'direct') => Promise<T>): Promise<T> {
  const dataDir = ensureDataDir(resolveDataDir());
  const running = runningHub(dataDir);
  if (running) return work(await hubClient(running), 'hub');
  const { Hub } = await import('../hub/hub.js');
  const hub = new Hub({ dataDir });
  try {
    return await work(hub, 'direct');
  } finally {
    await hub.close();
  }
}

/**
 * Read operations for a list command: through the running hub, or straight from the data dir's
 * catalog, without loading the hub at all.
 */
export async function withReadOperations<T>(work: (ops: ReadOperations) => Promise<T>): Promise<T> {
  const dataDir = ensureDataDir(resolveDataDir());
  const running = runningHub(dataDir);
  if (running) return work(await hubClient(running));
  const { withCatalogReader } = await import('./catalog-reader.js');
  return withCatalogReader(dataDir, work);
}

/** The running hub's client; its socket code loads only when there is a hub to ask. */
async function hubClient(running: { url: string; token: string }): Promise<CliOperations> {
  const { HubClient } = await import('./hub-client.js');
  return new HubClient(running.url, running.token);
}
