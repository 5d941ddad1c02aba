import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino, { type Logger } from 'pino';
import { ensureDataDir, logFilePath, resolveDataDir } from '../hub/data-dir.js';
import { claimDataDir, releaseDataDir, updateHubFile } from '../hub/hub-file.js';
import { Hub } from '../hub/hub.js';
import { HubServer } from '../http/hub-server.js';
import type { SessionLimits } from '../http/toolkit-routes.js';
import type { WarmPoolLimits } from '../hub/warm-pools.js';
import { AppError } from '../shared/errors.js';

export interface ServeOptions {
  host: string;
  port: number;
  open: boolean;
  /** Only for protocol test suites that cannot send a key. */
  auth?: boolean;
  /** Take a free port when `port` is busy (the desktop app), instead of refusing to start. */
  portFallback?: boolean;
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
  let stopping = false;
  const stopRequested = new Promise<void>((resolve) => {
    const stop = () => {
      if (stopping) process.exit(130); // a second signal: stop now, the next start sweeps
      stopping = true;
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  const dataDir = ensureDataDir(resolveDataDir());
  const logger = hubLogger(dataDir);
  claimDataDir(dataDir);
  let hub: Hub | undefined;
  let server: HubServer | undefined;
  let running: RunningHub;
  try {
    const limits = limitsFromEnv(process.env);
    hub = new Hub({ dataDir, warmPools: true, logger, warmPoolLimits: limits.warm });
    await hub.start();
    const token = randomBytes(24).toString('base64url');
    const noAuth = options.auth === false;
    const listen = async (port: number) => {
      server = new HubServer(hub!, { host: options.host, port, adminToken: token, logger, uiDir: builtUiDir(), noAuth, sessionLimits: limits.sessions });
      return server.start();
    };
    let url: string;
    try {
      url = await listen(options.port);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      if (!options.portFallback) {
        throw new AppError('conflict', `port ${options.port} on ${options.host} is in use: stop what listens there, or pick another with --port (0 picks a free one)`);
      }
      url = await listen(0);
      process.stderr.write(`Port ${options.port} is in use: listening on ${new URL(url).port} instead.\n`);
    }
    if (noAuth) {
      process.stderr.write('WARNING: --no-auth: /mcp and /v1 answer requests without a key as resource "default". Use only for protocol test suites.\n');
    }
    hub.url = url;
    updateHubFile(dataDir, { pid: process.pid, url, token, started_at: new Date().toISOString() });
    const sandbox = await hub.sandbox.status();
    const unsandboxed = hub.sandbox.sandboxed ? '' : ' (UNSANDBOXED: servers run as plain processes)';
    process.stdout.write(
      [
        `INFERENCE_URL=${url}`,
        `Toolkit:  ${url}/mcp  (Bearer INFERENCE_KEY: procdock key)`,
        `UI:       ${url}/#token=${token}`,
        `Data dir: ${dataDir}`,
        `Sandbox:  ${hub.sandbox.kind}${unsandboxed}${sandbox.ready ? '' : ` — calls cannot run: ${sandbox.reason ?? 'unknown'}`}`,
        '',
      ].join('\n'),
    );
    if (options.open) openBrowser(`${url}/#code=${server!.uiLinks.mint()}`);
    running = { url, token };
  } catch (error) {
    await server?.close();
    await hub?.close();
    releaseDataDir(dataDir);
    throw error;
  }
  await Promise.race([stopRequested, until?.(running) ?? stopRequested]);
  logger.info('stopping');
  // Whatever is pending (an engine that hangs, a call mid-way) gets a few seconds, no more: what is
  // left behind is swept at the next start.
  const closed = (async () => {
    await server?.close();
    await hub.close({ now: true });
  })();
  // A busy engine that still answers gets longer to remove what the hub started; a hung one does not.
  const finished =
    (await settlesWithin(closed, shutdownGraceMs)) || ((await hub.sandbox.status()).ready && (await settlesWithin(closed, busyEngineGraceMs)));
  if (!finished) logger.warn({ graceMs: shutdownGraceMs }, 'stopped with work still pending: the next start sweeps what is left');
  releaseDataDir(dataDir);
  logger.flush();
  // Handles a hung engine request still holds must not keep the process alive.
  setTimeout(() => process.exit(), 500).unref();
}

/** How long a stopping hub waits for what is pending; longer while the engine answers. */
const shutdownGraceMs = 5000;
const busyEngineGraceMs = 25_000;

function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  return Promise.race([work.then(() => true), new Promise<false>((resolve) => setTimeout(resolve, ms, false).unref())]);
}

/**
 * The hub-wide limits a user may set in the environment: warm containers (count and memory) and
 * toolkit sessions (per key, and how long an idle one lives). A bad value is refused by name.
 */
function limitsFromEnv(env: NodeJS.ProcessEnv): { warm: Partial<WarmPoolLimits>; sessions: Partial<SessionLimits> } {
  const read = (name: string, min: number, scale = 1): number | undefined => {
    const text = env[name];
    if (text === undefined || text === '') return undefined;
    const value = Number(text);
    if (!Number.isInteger(value) || value < min) throw new AppError('invalid_input', `${name}=${text}: expected a whole number of at least ${min}`);
    return value * scale;
  };
  const defined = <T extends object>(values: T): Partial<T> =>
    Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
  return {
    warm: defined({ maxContainers: read('PROCDOCK_WARM_MAX_CONTAINERS', 0), maxMemoryMb: read('PROCDOCK_WARM_MAX_MEMORY_MB', 0) }),
    sessions: defined({ perKey: read('PROCDOCK_SESSIONS_PER_KEY', 1), idleMs: read('PROCDOCK_SESSION_IDLE_SECONDS', 1, 1000) }),
  };
}

/**
 * Logs to stderr (JSON lines, or a line for a person when stderr is a terminal), and warnings and
 * errors (with their traces) to the data dir's log file too.
 */
function hubLogger(dataDir: string): Logger {
  const level = (process.env.PROCDOCK_LOG_LEVEL ?? 'info') as pino.Level;
  const lowest = (pino.levels.values[level] ?? 30) < 40 ? level : 'warn';
  return pino(
    { level: lowest },
    pino.multistream([
      { level, stream: process.stderr.isTTY ? terminalLines(dataDir) : pino.destination(2) },
      { level: 'warn', stream: pino.destination({ dest: logFilePath(dataDir), append: true, sync: false }) },
    ]),
  );
}

/** pino's JSON lines as a person reads them: `12:04:05 a warm container did not start (app/mcp-x): why`. */
function terminalLines(dataDir: string): { write(line: string): void } {
  return {
    write(line: string) {
      let entry: { time?: number; level?: number; msg?: string; server?: string; err?: { message?: string } };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        return void process.stderr.write(line);
      }
      const time = new Date(entry.time ?? Date.now()).toTimeString().slice(0, 8);
      const level = (entry.level ?? 30) >= 50 ? 'error: ' : (entry.level ?? 30) >= 40 ? 'warning: ' : '';
      const where = entry.server ? ` (${entry.server})` : '';
      const why = entry.err?.message ? `: ${entry.err.message}` : '';
      const trace = (entry.level ?? 30) >= 50 ? ` [trace in ${logFilePath(dataDir)}]` : '';
      process.stderr.write(`${time} ${level}${entry.msg ?? ''}${where}${why}${trace}\n`);
    },
  };
}

/** The web UI built by `npm run build` beside this package, if it is there. */
function builtUiDir(): string | undefined {
  const dir = fileURLToPath(new URL('../../out/renderer', import.meta.url));
  return existsSync(join(dir, 'index.html')) ? dir : undefined;
}

/** Opens a URL in the user's browser; says where to go when no browser can be started. */
export function openBrowser(url: string): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(command, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => process.stderr.write(`Could not start a browser (${command}): open the UI link above.\n`));
  // An opener with no browser to hand the link to fails quietly; explorer exits 1 even when it opened it.
  child.on('exit', (code) => {
    if (code && process.platform !== 'win32') process.stderr.write(`Could not open a browser (${command} exited with code ${code}): open the UI link above.\n`);
  });
  child.unref();
}
