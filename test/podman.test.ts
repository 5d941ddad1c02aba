import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hub } from '../src/hub/hub.js';
import { DockerSandbox } from '../src/sandbox/docker-sandbox.js';
import { dockerEngine } from './docker.js';
import { engineChecks, localHardening } from './engine-checks.js';
import { sh, startPodman, type TestEngine } from './engines.js';
import { cleanupTempDirs, makeFixtureApp, root, tempDir } from './helpers.js';

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
    await sh(join(root, 'test', 'images', 'build-node.sh'), ['24'], { ...process.env, ...podman!.env });
    const home = join(tempDir(), 'home');
    const sandbox = new DockerSandbox({ dataDir: home, docker: podman!.docker, baseImages: { node: 'procdock-test/node:24', python: '', ruby: '', go: '' } });
    hub = new Hub({ dataDir: home, sandbox, initTimeoutMs: 20_000 });
    const progress: string[] = [];
    hub.onDidProgress(({ line }) => progress.push(line));
    await hub.start();
    const app = makeFixtureApp('mcp-cache: node compile-cache.mjs\n', ['compile-cache.mjs'], { 'package.json': '{"name":"cache","private":true}' }, 'cache');
    const added = await hub.run('apps.add', { path: app });
    expect(added.build_status, progress.join('\n')).toBe('built');
    expect(progress.find((line) => line.startsWith("Added Node's compile cache")), progress.join('\n')).toMatch(/\(1 of 1 servers answered tools\/list\)/);
    const info = await podman!.docker.getImage(added.image!).inspect();
    expect(info.Config.Labels?.['procdock.node-cache']).toBe('/opt/procdock/node-cache');

    const { result } = await hub.run('call', { tool: 'cache', args: {} });
    const seen = JSON.parse((result.content[0] as { text: string }).text) as { env: string; accepted: string[] };
    expect(seen.env).toBe('/opt/procdock/node-cache');
    expect(seen.accepted).toContain('file:///app/mini-mcp.mjs');
  }, 600_000);
});
