import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { resolveDataDir } from '../hub/data-dir.js';
import { claimDataDir, releaseDataDir, updateHubFile } from '../hub/hub-file.js';
import { Hub } from '../hub/hub.js';
import { HubServer } from '../http/hub-server.js';

export interface ServeOptions {
  host: string;
  port: number;
  open: boolean;
  /** Only for protocol test suites that cannot send a key. */
  auth?: boolean;
}

/** Where a started hub listens and its admin token. */
export interface RunningHub {
  url: string;
  token: string;
}

/**
 * `procdock serve`: the headless hub. Runs until SIGINT or SIGTERM (or until `until` settles, for
 * `procdock start`, whose window lives as long as the hub), then cleans up after itself.
 */
export async function serve(options: ServeOptions, until?: (hub: RunningHub) => Promise<void>): Promise<void> {
  // Listen first: a signal that comes while the hub starts still stops it cleanly afterwards.
  const stopRequested = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  const logger = pino({ level: process.env.PROCDOCK_LOG_LEVEL ?? 'info' }, pino.destination(2));
  const dataDir = resolveDataDir();
  claimDataDir(dataDir);
  let hub: Hub | undefined;
  let server: HubServer | undefined;
  let running: RunningHub;
  try {
    hub = new Hub({ dataDir, warmPools: true });
    await hub.start();
    const token = randomBytes(24).toString('base64url');
    const noAuth = options.auth === false;
    server = new HubServer(hub, { host: options.host, port: options.port, adminToken: token, logger, uiDir: builtUiDir(), noAuth });
    if (noAuth) {
      process.stderr.write('WARNING: --no-auth: /mcp and /v1 answer requests without a key as resource "default". Use only for protocol test suites.\n');
    }
    const url = await server.start();
    hub.url = url;
    updateHubFile(dataDir, { pid: process.pid, url, token, started_at: new Date().toISOString() });
    const sandbox = await hub.sandbox.status();
    process.stdout.write(
      [
        `INFERENCE_URL=${url}`,
        `Toolkit:  ${url}/mcp  (Bearer INFERENCE_KEY: procdock key)`,
        `UI:       ${url}/`,
        `Data dir: ${dataDir}`,
        `Sandbox:  ${hub.sandbox.kind}${hub.sandbox.sandboxed ? '' : ' (UNSANDBOXED: servers run as plain processes)'}${sandbox.ready ? '' : ` — calls cannot run: ${sandbox.reason ?? 'unknown'}`}`,
        '',
      ].join('\n'),
    );
    if (options.open) openBrowser(`${url}/#token=${token}`);
    running = { url, token };
  } catch (error) {
    await server?.close();
    await hub?.close();
    releaseDataDir(dataDir);
    throw error;
  }
  await Promise.race([stopRequested, until?.(running) ?? stopRequested]);
  logger.info('stopping');
  await server.close();
  await hub.close();
  releaseDataDir(dataDir);
}

/** The web UI built by `npm run build` beside this package, if it is there. */
function builtUiDir(): string | undefined {
  const dir = fileURLToPath(new URL('../../out/renderer', import.meta.url));
  return existsSync(join(dir, 'index.html')) ? dir : undefined;
}

function openBrowser(url: string): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(command, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => process.stderr.write(`open ${url} in a browser\n`));
  child.unref();
}
