import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { testNodeImage } from './docker.js';
import { root } from './helpers.js';

/** An engine other than the local Docker one, started by a suite for itself and stopped at its end. */
export interface TestEngine {
  /** The environment that points the CLI and `procdock serve` at it, as a user would set it. */
  env: Record<string, string>;
  /** A client that looks at that engine directly, for what the suite asserts. */
  docker: Docker;
  stop(): Promise<void>;
}

const exec = promisify(execFile);

/** Runs a command to its end; a failure says what ran and what it printed. */
export async function sh(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  try {
    return (await exec(command, args, { env, maxBuffer: 64 * 1024 * 1024 })).stdout;
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${(stderr || stdout || (error as Error).message).trim()}`);
  }
}

export function onPath(name: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => existsSync(join(dir, name)));
}

/**
 * What an engine suite needs but this machine lacks: outside CI the suite is skipped with a loud
 * line; under CI=true the file fails, since .ci/run installs it.
 */
export function lacking(what: string, fix: string): undefined {
  if (process.env.CI === 'true') throw new Error(`${what}: ${fix}`);
  console.warn(`\n!!! SKIPPING engine tests: ${what} (${fix})\n`);
  return undefined;
}

/** Polls until `check` holds; `what` names the wait in the error (a function: asked when it fails). */
export async function until(
  check: () => Promise<boolean> | boolean,
  what: string | (() => string),
  ms = 60_000,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Waits until a daemon the suite started answers; it exiting first is a failure with what it said. */
export async function serving(
  child: ChildProcess,
  answers: () => Promise<boolean>,
  what: string,
  ms = 60_000,
): Promise<void> {
  let said = '';
  child.stderr?.on('data', (chunk: Buffer) => (said = (said + chunk.toString()).slice(-4000)));
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  await until(
    async () => {
      if (exited()) throw new Error(`${what} exited: ${said.trim()}`);
      return answers();
    },
    () => `${what}: ${said.trim()}`,
    ms,
  );
}

/** Whether an engine answers, for `serving`. */
export function pings(docker: Docker): () => Promise<boolean> {
  return () =>
    docker.ping().then(
      () => true,
      () => false,
    );
}

/** Ends a child the suite started, and waits until it is gone. */
export async function stopChild(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  graceMs = 30_000,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Builds the offline node base image on the engine `env` points at (test/images/build.sh). */
export async function buildTestImage(env: Record<string, string>): Promise<void> {
  await sh(join(root, 'test', 'images', 'build.sh'), [testNodeImage], { ...process.env, ...env });
}

/**
 * Debian's Podman, rootful, through its Docker-compatible socket: `podman system service` on a
 * socket of this suite's own, with the offline base image built into its storage.
 */
export async function startPodman(): Promise<TestEngine | undefined> {
  if (process.getuid?.() !== 0) return lacking('Podman tests run rootful', 'run them as root');
  if (!onPath('podman')) return lacking('no podman', 'apt-get install -y podman catatonit');
  // Podman's --init is catatonit, which Debian's podman only recommends.
  if (!existsSync('/usr/libexec/podman/catatonit'))
    return lacking('no catatonit for Podman’s --init', 'apt-get install -y catatonit');
  const dir = mkdtempSync(join(tmpdir(), 'procdock-podman-'));
  const socket = join(dir, 'podman.sock');
  const conf = join(dir, 'containers.conf');
  writeFileSync(conf, containersConf());
  const child = spawn('podman', ['system', 'service', '--time=0', `unix://${socket}`], {
    env: { ...process.env, CONTAINERS_CONF: conf },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const docker = new Docker({ socketPath: socket });
  const stop = async () => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await serving(child, pings(docker), 'podman system service');
    const env = { DOCKER_HOST: `unix://${socket}` };
    await buildTestImage(env);
    return { env, docker, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Podman gives a container the highest open-files and process limits by default, which only works
 * where it may raise its own hard limits. Some machines (this project's CI VM among them) forbid
 * that even to root, so the suite's Podman asks for the limits it has.
 */
function containersConf(): string {
  const limits = readFileSync('/proc/self/limits', 'utf8');
  const hard = (name: string, most: number) => {
    const value = new RegExp(`^${name}\\s+\\S+\\s+(\\S+)`, 'm').exec(limits)?.[1] ?? 'unlimited';
    return value === 'unlimited' ? most : Math.min(Number(value), most);
  };
  const files = hard('Max open files', 1048576);
  // Podman lowers its own process limit to 32768 before it starts a container.
  const processes = hard('Max processes', 32768);
  return `[containers]\ndefault_ulimits = ["nofile=${files}:${files}", "nproc=${processes}:${processes}"]\n`;
}
