import { existsSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { dirname, join } from 'node:path';
import type Docker from 'dockerode';

/**
 * dockerode, without the two modules its entry point loads that Procdock never runs: BuildKit's
 * session (`dockerode/lib/session.js`: gRPC and protobufjs, over a hundred modules) and
 * docker-modem's ssh transport (`docker-modem/lib/ssh.js`: ssh2; Procdock dials ssh itself, see
 * ssh-dial.ts). Together they were 16 MiB of the hub's memory and over 100 ms of every start.
 *
 * Each goes into the module cache as a function that loads the real module on its first call, so
 * behaviour is unchanged if one is ever used. Both modules export a single function, which
 * test/hub-footprint.test.ts calls through the stand-ins; a file that is not where it was is left
 * alone.
 */
export async function loadDockerode(): Promise<typeof Docker> {
  deferUnusedParts();
  const { default: Dockerode } = await import('dockerode');
  return Dockerode;
}

/** The files deferred, where dockerode 5 and docker-modem 5 keep them. */
export function unusedParts(load: NodeJS.Require = requireHere()): string[] {
  try {
    const dockerode = load.resolve('dockerode');
    const modem = createRequire(dockerode).resolve('docker-modem');
    return [join(dirname(dockerode), 'session.js'), join(dirname(modem), 'ssh.js')].filter((file) => existsSync(file));
  } catch {
    return [];
  }
}

function deferUnusedParts(): void {
  const load = requireHere();
  for (const file of unusedParts(load)) {
    if (load.cache[file]) continue;
    const stand = new Module(file);
    stand.filename = file;
    stand.loaded = true;
    stand.exports = function loadOnFirstCall(this: unknown, ...args: unknown[]): unknown {
      if (load.cache[file] === stand) delete load.cache[file];
      return (load(file) as (...a: unknown[]) => unknown).apply(this, args);
    };
    load.cache[file] = stand;
  }
}

const requireHere = (): NodeJS.Require => createRequire(import.meta.url);
