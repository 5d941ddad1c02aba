import type * as ChildProcess from 'node:child_process';
import type * as Fs from 'node:fs';
import type * as Path from 'node:path';
import { AppError } from '../shared/errors.js';

/**
 * Node's compile cache in an app's image (Node 22.10 and later keep one). After a node app's image
 * is built, one hardened container (the call defaults: no network, read-only, uid 1000, and no
 * config vars) starts each of its servers once, as far as `tools/list`, with `NODE_COMPILE_CACHE`
 * set; the V8 code it leaves is added to the image, so a call's server compiles none of those
 * modules again. V8 checks each entry against the source it was made from and drops one that does
 * not match. Only this app's servers read the cache, and only this app's servers wrote it.
 */
export const nodeCacheDir = '/opt/procdock/node-cache';

/** The label on an image that holds a compile cache: its containers get `NODE_COMPILE_CACHE`. */
export const nodeCacheLabel = 'procdock.node-cache';

/** What the warm-up container runs: the script comes in its environment, so nothing is quoted. */
export const warmCommand = 'exec node -e "$PROCDOCK_WARM_SCRIPT"';

/** At most this much cache is taken from the container. */
const maxCacheBytes = 64 * 1024 * 1024;
const maxCacheFiles = 20_000;

export interface NodeCacheFile {
  path: string;
  data: Buffer;
}

export interface WarmOutcome {
  /** False when the image's node keeps no compile cache. */
  supported: boolean;
  version: string;
  files: NodeCacheFile[];
  /** Servers that answered `tools/list`, of those started. */
  answered: number;
}

/** The warm-up container's environment: the script, and the Procfile commands it starts. */
export function warmEnv(commands: string[]): Record<string, string> {
  return { PROCDOCK_WARM_SCRIPT: `(${warm.toString()})()`, PROCDOCK_WARM_COMMANDS: JSON.stringify(commands) };
}

/**
 * Reads what the warm-up printed: one JSON line. It comes from a container running the app's own
 * code, so every path is checked to stay inside the cache folder and the sizes are bounded.
 */
export function parseWarmOutput(text: string): WarmOutcome {
  const line = text.trim().split('\n').pop() ?? '';
  let parsed: { supported?: unknown; version?: unknown; answered?: unknown; files?: unknown };
  try {
    parsed = JSON.parse(line) as typeof parsed;
  } catch {
    throw new AppError('sandbox', `the compile-cache warm-up printed no report${line ? `: ${line.slice(0, 200)}` : ''}`);
  }
  const files: NodeCacheFile[] = [];
  let total = 0;
  for (const entry of Array.isArray(parsed.files) ? (parsed.files as unknown[]) : []) {
    const { path, data } = (entry ?? {}) as { path?: unknown; data?: unknown };
    if (typeof path !== 'string' || typeof data !== 'string' || !safeCachePath(path)) {
      throw new AppError('sandbox', `the compile-cache warm-up reported a file outside its folder: ${JSON.stringify(path).slice(0, 120)}`);
    }
    const bytes = Buffer.from(data, 'base64');
    total += bytes.length;
    if (total > maxCacheBytes || files.length >= maxCacheFiles) {
      throw new AppError('sandbox', `the compile cache is over ${maxCacheBytes / 1024 / 1024} MiB or ${maxCacheFiles} files`);
    }
    files.push({ path, data: bytes });
  }
  return {
    supported: parsed.supported === true,
    version: typeof parsed.version === 'string' ? parsed.version.slice(0, 40) : 'unknown',
    answered: typeof parsed.answered === 'number' ? parsed.answered : 0,
    files,
  };
}

/** A relative path of plain names (Node names its cache `v24.1.0-x64-1a2b3c4d-1000/5e6f7a8b`). */
function safeCachePath(path: string): boolean {
  const parts = path.split('/');
  return parts.length <= 4 && parts.every((part) => /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(part) && part !== '..');
}

/**
 * Runs inside the container as `node -e`, plain CommonJS with nothing from outside: starts each
 * command in its own process group with the cache on and a preload that writes it at SIGTERM,
 * asks for `initialize` and `tools/list`, then ends the group (SIGTERM, SIGKILL 3 s later, 15 s per
 * server at most, and no server started after the first minute), and prints the cache as one JSON
 * line.
 */
function warm(): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { spawn } = require('node:child_process') as typeof ChildProcess;
  const fs = require('node:fs') as typeof Fs;
  const path = require('node:path') as typeof Path;
  const nodeModule = require('node:module') as { flushCompileCache?: () => void };
  /* eslint-enable @typescript-eslint/no-require-imports */
  const dir = '/tmp/procdock-node-cache';
  const preload = '/tmp/procdock-node-cache-flush.cjs';
  const report = (result: object) => process.stdout.write(`${JSON.stringify(result)}\n`);
  if (typeof nodeModule.flushCompileCache !== 'function') {
    report({ supported: false, version: process.version, answered: 0, files: [] });
    return;
  }
  const commands = JSON.parse(process.env.PROCDOCK_WARM_COMMANDS ?? '[]') as string[];
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_COMPILE_CACHE: dir };
  env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --require ${preload}`.trim();
  delete env.PROCDOCK_WARM_SCRIPT;
  delete env.PROCDOCK_WARM_COMMANDS;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    preload,
    "const m = require('node:module');\nprocess.once('SIGTERM', () => { try { m.flushCompileCache(); } finally { process.exit(0); } });\n",
  );
  let answered = 0;
  const run = (command: string) =>
    new Promise<void>((resolve) => {
      const child = spawn('/bin/sh', ['-c', command], { env, detached: true, stdio: ['pipe', 'pipe', 'ignore'] });
      const group = (signal: NodeJS.Signals) => {
        try {
          if (child.pid) process.kill(-child.pid, signal);
        } catch {
          // Already gone.
        }
      };
      let stopping = false;
      const stop = () => {
        if (stopping) return;
        stopping = true;
        group('SIGTERM');
        setTimeout(() => group('SIGKILL'), 3000).unref();
      };
      const timers = [setTimeout(stop, 15_000), setTimeout(resolve, 20_000)];
      const send = (message: object) => child.stdin.write(`${JSON.stringify(message)}\n`, () => undefined);
      child.stdin.on('error', () => undefined);
      child.on('error', () => resolve());
      child.on('close', () => {
        for (const timer of timers) clearTimeout(timer);
        group('SIGKILL');
        resolve();
      });
      let buffered = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffered = (buffered + chunk.toString('utf8')).slice(-4_000_000);
        for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          let id: unknown;
          try {
            id = (JSON.parse(line) as { id?: unknown }).id;
          } catch {
            continue;
          }
          if (id === 1) {
            send({ jsonrpc: '2.0', method: 'notifications/initialized' });
            send({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} });
          } else if (id === 2) {
            answered++;
            stop();
          }
        }
      });
      const clientInfo = { name: 'procdock-compile-cache', version: '1' };
      send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo } });
    });
  const files: { path: string; data: string }[] = [];
  const collect = (folder: string) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) collect(full);
      else if (entry.isFile()) files.push({ path: path.relative(dir, full), data: fs.readFileSync(full).toString('base64') });
    }
  };
  void (async () => {
    // A minute for all of them: an app of many servers does not hold its build up for long.
    const deadline = Date.now() + 60_000;
    for (const command of new Set(commands)) if (Date.now() < deadline) await run(command);
    collect(dir);
    report({ supported: true, version: process.version, answered, files });
  })();
}
