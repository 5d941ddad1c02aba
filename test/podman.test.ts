import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../src/hub/hub.js';
import { dockerEngine, nodeImage } from './docker.js';
import { engineChecks, localHardening } from './engine-checks.js';
import { startPodman, type TestEngine } from './engines.js';
import { cleanupTempDirs, makeFixtureApp } from './helpers.js';
import { cacheReport, hubOn } from './node-cache.js';

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

describe.skipIf(!podman)("Node's compile cache on Podman", () => {
  let hub: Hub | undefined;
  afterAll(async () => {
    await hub?.run('apps.remove', { name: 'cache' }).catch(() => undefined);
    await hub?.close();
  }, 60_000);

  it('is filled at build (Podman builds the layer) and taken by each call’s node', async () => {
    // Node 24 in Podman's own storage: the engine suites build on this machine's Node 20, which keeps no cache.
    const on = await hubOn(nodeImage(24, podman!.env), podman!.docker);
    hub = on.hub;
    const { progress } = on;
    const app = makeFixtureApp('mcp-cache: node compile-cache.mjs\n', ['compile-cache.mjs'], { 'package.json': '{"name":"cache","private":true}' }, 'cache');
    const added = await hub.run('apps.add', { path: app });
    expect(added.build_status, progress.join('\n')).toBe('built');
    expect(progress.find((line) => line.startsWith("Added Node's compile cache")), progress.join('\n')).toMatch(/\(1 of 1 servers answered tools\/list\)/);
    const info = await podman!.docker.getImage(added.image!).inspect();
    expect(info.Config.Labels?.['procdock.node-cache']).toBe('/opt/procdock/node-cache');

    const { result } = await hub.run('call', { tool: 'cache', args: {} });
    const seen = cacheReport(result);
    expect(seen.env).toBe('/opt/procdock/node-cache');
    expect(seen.accepted).toContain('file:///app/mini-mcp.mjs');
  }, 600_000);
});
