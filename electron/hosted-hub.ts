import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pino from 'pino';
import { ensureDataDir, resolveDataDir } from '../src/hub/data-dir.js';
import { claimDataDir, releaseDataDir, updateHubFile } from '../src/hub/hub-file.js';
import { Hub } from '../src/hub/hub.js';
import { HubServer } from '../src/http/hub-server.js';

/** A hub this process runs, for a shell launched on its own (the packaged app). */
export interface HostedHub {
  url: string;
  token: string;
  close(): Promise<void>;
}

const preferredPort = 7420;

/**
 * Starts a hub in this process on 127.0.0.1:7420, or on a free port when 7420 is busy, and writes
 * where it listens to `hub.json` so the CLI finds it. `uiDir` is the built web UI (beside out/main
 * in the bundle). The caller closes it.
 */
export async function hostHub(uiDir = join(import.meta.dirname, '../renderer')): Promise<HostedHub> {
  // On a new machine the shell may be the first thing to run: it creates the data dir (0700).
  const dataDir = ensureDataDir(resolveDataDir());
  const token = randomBytes(24).toString('base64url');
  claimDataDir(dataDir);
  const hub = new Hub({ dataDir, warmPools: true });
  let server: HubServer | undefined;
  try {
    await hub.start();
    const listen = (port: number) => {
      server = new HubServer(hub, { host: '127.0.0.1', port, adminToken: token, logger: pino({ level: 'warn' }), uiDir });
      return server.start();
    };
    const url = await listen(preferredPort).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EADDRINUSE') throw error;
      return listen(0);
    });
    hub.url = url;
    updateHubFile(dataDir, { pid: process.pid, url, token, started_at: new Date().toISOString() });
    return {
      url,
      token,
      async close() {
        await server?.close();
        await hub.close();
        releaseDataDir(dataDir);
      },
    };
  } catch (error) {
    await server?.close();
    await hub.close();
    releaseDataDir(dataDir);
    throw error;
  }
}
