import { afterAll, beforeAll, describe } from 'vitest';
import { dockerEngine } from './docker.js';
import { engineChecks, localHardening } from './engine-checks.js';
import { startPodman, type TestEngine } from './engines.js';
import { cleanupTempDirs } from './helpers.js';

const docker = await dockerEngine();
const podman = docker ? await startPodman() : undefined;

afterAll(async () => {
  await podman?.stop();
  cleanupTempDirs();
}, 120_000);

describe.skipIf(!podman)('Podman through its Docker-compatible socket', () => {
  let baseline: Record<string, unknown>;
  beforeAll(async () => {
    baseline = await localHardening();
  }, 300_000);

  engineChecks({
    engine: () => podman as TestEngine,
    doctor: /^Podman 4\.\d+\.\d+ \(API [\d.]+, linux\/\w+\) at unix:\/\/\/.*podman\.sock$/,
    baseline: () => baseline,
    local: docker!,
  });
});
