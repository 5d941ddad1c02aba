// Node's compile cache in a node app's image: filled at build by the app's own servers in a
// hardened container, taken by every call's node. On Node 24 (users' default base), and skipped on
// a node without one.
import type Docker from 'dockerode';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Hub } from '../src/hub/hub.js';
import { containersOf, dockerEngine, homeLabel, nodeImage, testNodeImage } from './docker.js';
import { cleanupTempDirs, makeFixtureApp } from './helpers.js';
import { cacheReport, hubOn } from './node-cache.js';

const docker = await dockerEngine();

async function labels(image: string): Promise<Record<string, string>> {
  const info = (await docker!.getImage(image).inspect()) as Docker.ImageInspectInfo;
  return info.Config.Labels ?? {};
}

describe.skipIf(!docker)("Node's compile cache", () => {
  const hubs: Hub[] = [];
  afterAll(async () => {
    await Promise.all(hubs.map((hub) => hub.close()));
    cleanupTempDirs();
  });

  it('is filled at build on Node 24 and taken by each call’s node', async () => {
    const { hub, progress } = await hubOn(nodeImage(24));
    hubs.push(hub);
    const app = makeFixtureApp('mcp-cache: node compile-cache.mjs\n', ['compile-cache.mjs'], { 'package.json': '{"name":"cache","private":true}' }, 'cache');
    const added = await hub.run('apps.add', { path: app });
    expect(added.build_status).toBe('built');
    expect(progress.find((line) => line.startsWith("Added Node's compile cache"))).toMatch(/\d+ files, \d+ KiB \(1 of 1 servers answered tools\/list\)/);
    expect((await labels(added.image!))['procdock.node-cache']).toBe('/opt/procdock/node-cache');

    const { result } = await hub.run('call', { tool: 'cache', args: {} });
    const seen = cacheReport(result);
    expect(seen.env).toBe('/opt/procdock/node-cache');
    expect(seen.dir).toMatch(/^\/opt\/procdock\/node-cache\/v24\.[\d.]+-x64-[0-9a-f]+-1000$/);
    expect(seen.accepted).toContain('file:///app/mini-mcp.mjs');

    // A config var of the user's own wins over the sandbox's.
    await hub.run('config.set', { app: 'cache', vars: { NODE_COMPILE_CACHE: '/tmp/mine' } });
    const mine = await hub.run('call', { tool: 'cache', args: {} });
    expect(cacheReport(mine.result)).toMatchObject({ env: '/tmp/mine' });
  });

  it('stops with the app removed while it fills: the warm-up container goes, nothing is tagged', async () => {
    const { hub, progress, home } = await hubOn(nodeImage(24));
    hubs.push(hub);
    // A server that takes its time to start: the warm-up is still waiting for it when the app goes.
    const slow = "import { serve } from './mini-mcp.mjs';\nawait new Promise((resolve) => setTimeout(resolve, 30_000));\nserve({ 'tools/list': () => ({ tools: [] }) });\n";
    const app = makeFixtureApp('mcp-slow: node slow.mjs\n', [], { 'slow.mjs': slow, 'package.json': '{"name":"slow","private":true}' }, 'slowstart');
    const adding = hub.run('apps.add', { path: app });
    adding.catch(() => undefined);
    await vi.waitFor(() => expect(progress.some((line) => line.startsWith("Filling Node's compile cache")), progress.join('\n')).toBe(true), { timeout: 60_000, interval: 50 });
    await vi.waitFor(async () => expect(await containersOf(docker!, 'procdock.app=slowstart')).toHaveLength(1), { timeout: 10_000, interval: 50 });
    await hub.run('apps.remove', { name: 'slowstart' });
    await expect(adding).rejects.toThrow('app "slowstart" was removed while it was being built: nothing of it is left');
    expect(await docker!.listImages({ all: true, filters: { label: [await homeLabel(home), 'procdock.app=slowstart'] } })).toEqual([]);
    expect(await containersOf(docker!, 'procdock.app=slowstart')).toEqual([]);
    expect(progress.some((line) => line.startsWith("Added Node's compile cache"))).toBe(false);
  });

  it('is skipped, saying why, where the node keeps none', async () => {
    const { hub, progress } = await hubOn(testNodeImage);
    hubs.push(hub);
    const app = makeFixtureApp('mcp-cache: node compile-cache.mjs\n', ['compile-cache.mjs'], {}, 'old');
    const added = await hub.run('apps.add', { path: app });
    expect(added.build_status).toBe('built');
    expect(progress).toContainEqual(expect.stringMatching(/^Node v20\.[\d.]+ in this image keeps no compile cache \(Node 22\.10 and later do\): skipped\.$/));
    expect((await labels(added.image!))['procdock.node-cache']).toBeUndefined();
    const { result } = await hub.run('call', { tool: 'cache', args: {} });
    expect(cacheReport(result)).toMatchObject({ env: null, dir: null, accepted: [] });

    // The next build on that base starts no warm-up container at all.
    progress.length = 0;
    const next = await hub.run('apps.add', { path: makeFixtureApp('mcp-next: node compile-cache.mjs\n', ['compile-cache.mjs'], {}, 'next') });
    expect(next.build_status).toBe('built');
    expect(progress.filter((line) => /compile cache/.test(line))).toEqual([]);
  });
});
