// What the compile-cache suites share: a hub whose node apps build on a given base image (on the
// local engine or another), and the report the compile-cache.mjs fixture gives from a call.
import { join } from 'node:path';
import type Docker from 'dockerode';
import { Hub } from '../src/hub/hub.js';
import { DockerSandbox } from '../src/sandbox/docker-sandbox.js';
import type { CallToolResultShape } from '../src/shared/operations.js';
import { tempDir } from './helpers.js';

/** A started hub on a missing data dir whose node apps build on `base`; it records the build's progress. */
export async function hubOn(base: string, docker?: Docker): Promise<{ hub: Hub; progress: string[]; home: string }> {
  const home = join(tempDir(), 'home');
  const sandbox = new DockerSandbox({ dataDir: home, ...(docker ? { docker } : {}), baseImages: { node: base, python: '', ruby: '', go: '' } });
  const hub = new Hub({ dataDir: home, sandbox, initTimeoutMs: 20_000 });
  const progress: string[] = [];
  hub.onDidProgress(({ line }) => progress.push(line));
  await hub.start();
  return { hub, progress, home };
}

/** compile-cache.mjs's answer: NODE_COMPILE_CACHE, the folder node uses, the modules it took from the cache. */
export function cacheReport(result: CallToolResultShape): { env: string | null; dir: string | null; accepted: string[] } {
  return JSON.parse((result.content[0] as { text: string }).text) as { env: string | null; dir: string | null; accepted: string[] };
}
