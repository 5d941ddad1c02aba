import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import Docker from 'dockerode';
import { root } from './helpers.js';

export const testNodeImage = 'procdock-test/node:20';

/**
 * A Docker engine for the container suites, with the offline node base image built. Outside CI a
 * missing engine skips the suite with a loud line; under CI=true it fails it.
 */
export async function requireDocker(): Promise<Docker | undefined> {
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

/** Containers a hub with this data dir started, still on the engine. */
export async function containersOf(docker: Docker, label = 'procdock.managed=true'): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [label] } });
}
