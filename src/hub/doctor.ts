import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import type { Sandbox } from '../sandbox/sandbox.js';
import type { DoctorCheck } from '../shared/api.js';
import { ensureDataDir, resolveDataDir } from './data-dir.js';
import { isAlive, readHubFile } from './hub-file.js';

export interface DoctorOptions {
  /** The sandbox to ask about the engine; the hub passes its own. */
  sandbox?: Sandbox;
  /** The port the hub uses or would use. */
  port: number;
  /** The URL of the hub running this check, whose own port counts as fine. */
  hubUrl?: string;
  dataDir?: string;
}

const minimumNode = [20, 19];

/**
 * What Procdock needs, each with how to fix it: Node, the Docker engine, base images, the data dir,
 * the port, Electron and Chromium. The same checks back `procdock doctor` and the UI.
 */
export async function runDoctor(options: DoctorOptions): Promise<DoctorCheck[]> {
  const dataDir = options.dataDir ?? resolveDataDir();
  const sandbox = options.sandbox ?? (await (await import('./hub.js')).createSandbox(dataDir));
  const [engine, images, port] = await Promise.all([engineCheck(sandbox), baseImagesCheck(sandbox), portCheck(options, dataDir)]);
  return [nodeCheck(), engine, images, dataDirCheck(dataDir), port, electronCheck(), chromiumCheck()];
}

export function describeChecks(checks: DoctorCheck[]): string {
  const mark = { ok: '✓', warn: '!', fail: '✗' } as const;
  return checks
    .map((c) => [`${mark[c.status]} ${c.label}: ${c.detail}`, ...(c.fix ? [`    fix: ${c.fix}`] : [])].join('\n'))
    .join('\n');
}

function nodeCheck(): DoctorCheck {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const ok = major > minimumNode[0]! || (major === minimumNode[0] && minor >= minimumNode[1]!);
  return {
    id: 'node',
    label: 'Node.js',
    status: ok ? 'ok' : 'fail',
    detail: `${process.versions.node}${ok ? '' : ` (Procdock needs ${minimumNode.join('.')} or newer)`}`,
    ...(ok ? {} : { fix: 'install Node.js 20.19 or newer (https://nodejs.org, or nvm install 20)' }),
  };
}

async function engineCheck(sandbox: Sandbox): Promise<DoctorCheck> {
  if (!sandbox.sandboxed) {
    return {
      id: 'engine',
      label: 'Sandbox',
      status: 'warn',
      detail: 'PROCDOCK_SANDBOX=process: servers run as plain processes, UNSANDBOXED',
      fix: 'unset PROCDOCK_SANDBOX to run every call in a Docker container',
    };
  }
  const status = await sandbox.status();
  const label = 'Docker engine';
  if (status.ready && status.remote && status.engine_host?.startsWith('tcp:') && !/over TLS/.test(status.engine ?? '')) {
    return {
      id: 'engine',
      label,
      status: 'warn',
      detail: `${status.engine ?? status.engine_host}: unencrypted, and whoever reaches that port owns the machine`,
      fix: 'use TLS (DOCKER_TLS_VERIFY=1, DOCKER_CERT_PATH, port 2376) or DOCKER_HOST=ssh://user@host',
    };
  }
  if (status.ready) {
    const remote = status.remote ? '; host folders cannot be granted to servers on a remote engine' : '';
    return { id: 'engine', label, status: 'ok', detail: `${status.engine ?? 'answers'}${remote}` };
  }
  return {
    id: 'engine',
    label,
    status: 'fail',
    detail: status.reason ?? 'does not answer',
    fix: status.remote
      ? `make ${status.engine_host} answer (the line above says what failed), or unset DOCKER_HOST / DOCKER_CONTEXT to use this machine's engine`
      : 'start Docker (Docker Desktop, or: sudo systemctl start docker), or point DOCKER_HOST at an engine (Podman: DOCKER_HOST=unix:///run/user/$UID/podman/podman.sock)',
  };
}

async function baseImagesCheck(sandbox: Sandbox): Promise<DoctorCheck> {
  const label = 'Base images';
  if (!sandbox.sandboxed) return { id: 'base-images', label, status: 'ok', detail: 'not needed by the process sandbox' };
  if (!(await sandbox.status()).ready) return { id: 'base-images', label, status: 'warn', detail: 'unknown: no Docker engine answers' };
  const states = await sandbox.baseImages();
  const missing = states.filter((s) => s.state === 'missing');
  const detail = states.map((s) => `${s.language} ${s.image} ${s.state === 'pullable' ? 'can be pulled' : s.state}`).join(', ');
  if (missing.length === 0) return { id: 'base-images', label, status: 'ok', detail };
  const node = missing.find((s) => s.language === 'node');
  return {
    id: 'base-images',
    label,
    status: node ? 'fail' : 'warn',
    detail,
    fix: baseImagesFix(missing),
  };
}

/** What to do about missing base images, with why they could not be pulled said once, not per image. */
function baseImagesFix(missing: { language: string; image: string; reason?: string }[]): string {
  const each = missing.map((s) => `${s.language}: docker pull ${s.image}, or set PROCDOCK_BASE_IMAGE_${s.language.toUpperCase()} to an image you have`);
  const reasons = [...new Set(missing.flatMap((s) => (s.reason ? [s.reason.split('\n')[0]!] : [])))];
  return `${each.join('; ')}${reasons.length > 0 ? `. Pulling failed: ${reasons.join('; ')}` : ''}`;
}

function dataDirCheck(dataDir: string): DoctorCheck {
  try {
    ensureDataDir(dataDir);
    return { id: 'data-dir', label: 'Data dir', status: 'ok', detail: `${dataDir} (writable)` };
  } catch (error) {
    return { id: 'data-dir', label: 'Data dir', status: 'fail', detail: (error as Error).message, fix: 'fix its permissions, or set PROCDOCK_HOME to a folder you own' };
  }
}

async function portCheck(options: DoctorOptions, dataDir: string): Promise<DoctorCheck> {
  const label = `Port ${options.port}`;
  const running = readHubFile(dataDir);
  const hubHere = running?.url && isAlive(running.pid) ? running.url : options.hubUrl;
  if (hubHere && new URL(hubHere).port === String(options.port)) {
    return { id: 'port', label, status: 'ok', detail: `the hub runs there (${hubHere})` };
  }
  const free = await new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(options.port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
  if (free) return { id: 'port', label, status: 'ok', detail: hubHere ? `free; the hub of this data dir runs at ${hubHere}` : 'free' };
  return {
    id: 'port',
    label,
    status: 'warn',
    detail: 'in use by another program',
    fix: `procdock start takes a free port by itself; for serve, stop what listens on ${options.port} or use --port 0`,
  };
}

function electronCheck(): DoctorCheck {
  const binary = electronBinary();
  if (binary) return { id: 'electron', label: 'Electron', status: 'ok', detail: binary };
  return {
    id: 'electron',
    label: 'Electron',
    status: 'warn',
    detail: 'not installed: procdock start serves the UI in your browser instead',
    fix: 'npm install (Electron is an optional dependency; its download needs github.com)',
  };
}

function chromiumCheck(): DoctorCheck {
  const found = [process.env.CHROMIUM_PATH, ...['chromium', 'chromium-browser', 'google-chrome'].flatMap(onPath)].find(
    (path): path is string => !!path && existsSync(path),
  );
  if (found) return { id: 'chromium', label: 'Chromium', status: 'ok', detail: found };
  return {
    id: 'chromium',
    label: 'Chromium',
    status: 'warn',
    detail: 'not found: only the browser tests need it',
    fix: 'apt-get install chromium (or set CHROMIUM_PATH)',
  };
}

function onPath(name: string): string[] {
  return (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, name));
}

/** The Electron binary, when the electron package and its runtime are installed. */
export function electronBinary(): string | undefined {
  try {
    const path = createRequire(import.meta.url)('electron') as unknown;
    return typeof path === 'string' && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}
