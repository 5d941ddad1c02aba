import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followHubEvents } from '../electron/hub-events.js';
import { hostHub } from '../electron/hosted-hub.js';
import { trayMenu, type TrayState } from '../electron/tray-menu.js';
import type { HubInfo, ServerView } from '../src/shared/api.js';
import { dockerEngine } from './docker.js';
import { cleanupTempDirs, cli, freshHome, makeFixtureApp, root, testBaseImage } from './helpers.js';
import { serveHub, type ServedHub } from './hub-process.js';

const docker = await dockerEngine();

/** The desktop shell's logic, run in Node against real hubs: Electron itself cannot start here. */
describe.skipIf(!docker)('the desktop shell, without Electron', () => {
  let home: string;
  let hub: ServedHub;

  beforeAll(async () => {
    home = freshHome();
    const app = makeFixtureApp('mcp-paged: node paged.mjs\n', ['paged.mjs'], {}, 'paged');
    const added = await cli(home, ['apps:add', app]);
    expect(added.code, added.stderr).toBe(0);
    hub = await serveHub(home);
  }, 180_000);
  afterAll(async () => {
    await hub?.stop();
    cleanupTempDirs();
  });

  async function api<T>(name: string, input: unknown = {}): Promise<T> {
    const response = await fetch(`${hub.url}/api/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${hub.adminToken()}` },
      body: JSON.stringify(input),
    });
    return (await response.json()) as T;
  }

  it('follows /api/events: the tray is rebuilt from the hub’s state when a server stops, and says when the hub goes away', async () => {
    let changes = 0;
    const statuses: [boolean, string | undefined][] = [];
    const stop = followHubEvents(hub.url, hub.adminToken(), () => changes++, (reachable, error) => statuses.push([reachable, error]));
    try {
      await expect.poll(() => changes).toBeGreaterThan(0);
      const state = async (): Promise<TrayState> => ({ hub: 'running', info: await api<HubInfo>('hub.info'), servers: await api<ServerView[]>('servers.list') });
      expect(trayMenu(await state()).find((i) => i.label?.startsWith('paged/mcp-paged'))).toMatchObject({ checked: true, action: { kind: 'stop-server' } });
      const before = changes;
      expect((await cli(home, ['servers:stop', 'paged', 'mcp-paged'])).code).toBe(0);
      await expect.poll(() => changes).toBeGreaterThan(before);
      expect(trayMenu(await state()).find((i) => i.label?.startsWith('paged/mcp-paged'))).toMatchObject({ checked: false, action: { kind: 'start-server' } });
      expect((await cli(home, ['servers:start', 'paged', 'mcp-paged'])).code).toBe(0);

      await hub.stop();
      await expect.poll(() => statuses.at(-1)).toEqual([false, 'ECONNREFUSED']);
    } finally {
      stop();
    }
  });

  it('hosts its own hub when launched alone: a free port when 7420 is busy, written to hub.json, serving the UI', async () => {
    const blocker: Server = createServer();
    // 7420 may already be taken on this machine; either way the shell must not insist on it.
    await new Promise<void>((resolve) => blocker.once('error', () => resolve()).listen(7420, '127.0.0.1', () => resolve()));
    const dataDir = freshHome();
    const saved = { home: process.env.PROCDOCK_HOME, image: process.env.PROCDOCK_BASE_IMAGE_NODE };
    process.env.PROCDOCK_HOME = dataDir;
    process.env.PROCDOCK_BASE_IMAGE_NODE = testBaseImage;
    try {
      const hosted = await hostHub(join(root, 'out', 'renderer'));
      try {
        expect(new URL(hosted.url).port).not.toBe('7420');
        expect(JSON.parse(readFileSync(join(dataDir, 'hub.json'), 'utf8'))).toMatchObject({ url: hosted.url, pid: process.pid, token: hosted.token });
        expect((await fetch(`${hosted.url}/health`)).status).toBe(200);
        const page = await fetch(`${hosted.url}/`);
        expect(page.status).toBe(200);
        expect(await page.text()).toMatch(/<script type="module" crossorigin src="\.\/assets\/index-/);
      } finally {
        await hosted.close();
      }
      expect(existsSync(join(dataDir, 'hub.json'))).toBe(false);
    } finally {
      process.env.PROCDOCK_HOME = saved.home;
      process.env.PROCDOCK_BASE_IMAGE_NODE = saved.image;
      if (saved.home === undefined) delete process.env.PROCDOCK_HOME;
      if (saved.image === undefined) delete process.env.PROCDOCK_BASE_IMAGE_NODE;
      blocker.close();
    }
  });
});
