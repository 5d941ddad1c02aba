import { Hub, type ProgressEvent } from '../hub/hub.js';
import { isAlive, readHubFile } from '../hub/hub-file.js';
import { resolveDataDir } from '../hub/data-dir.js';
import type { Operations } from '../shared/operations.js';
import { HubClient } from './hub-client.js';

/** Operations that also report the progress of long work. */
export interface CliOperations extends Operations {
  onDidProgress(listener: (event: ProgressEvent) => void): () => void;
}

/** Operations for one CLI command: through the running hub of the data dir, or on the data dir itself. */
export async function withOperations<T>(work: (ops: CliOperations, via: 'hub' | 'direct') => Promise<T>): Promise<T> {
  const dataDir = resolveDataDir();
  const running = readHubFile(dataDir);
  if (running?.url && running.token && isAlive(running.pid)) {
    return work(new HubClient(running.url, running.token), 'hub');
  }
  const hub = new Hub({ dataDir });
  try {
    return await work(hub, 'direct');
  } finally {
    await hub.close();
  }
}
