import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser } from './browser.js';
import { dockerEngine } from './docker.js';
import { cleanupTempDirs, cli, fixtureFiles, freshHome, makeFixtureApp, makeNpmApp, root, testBaseImage } from './helpers.js';
import { serveHub, type ServedHub } from './hub-process.js';

const shots = join(root, 'test-results', 'screenshots');
const ready = browserAvailable() && (await dockerEngine()) !== undefined;

describe.skipIf(!ready)('the web UI served by procdock serve, servers in Docker', () => {
  let browser: Browser;
  let hub: ServedHub;
  let url = '';
  let token = '';
  let home: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    mkdirSync(shots, { recursive: true });
    home = freshHome();
    const app = makeNpmApp('web: node web.js\nmcp-everything: mcp-server-everything stdio\nmcp-paged: node paged.mjs\n', ['@modelcontextprotocol/server-everything'], 'toolbox', fixtureFiles('paged.mjs'));
    const added = await cli(home, ['apps:add', app]);
    expect(added.code, added.stderr).toBe(0);
    // The longest names there may be, for the layout (not attached: its tools would shadow mcp-paged's).
    const long = makeFixtureApp(`mcp-${'long'.repeat(11)}: node paged.mjs\n`, ['paged.mjs'], {}, 'an-app-with-a-name-as-long-as-names-get');
    expect((await cli(home, ['apps:add', long, '--no-attach'])).code).toBe(0);
    hub = await serveHub(home);
    url = hub.url;
    token = hub.adminToken();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
    cleanupTempDirs();
  });

  async function open(): Promise<Page> {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 820 } });
    await page.goto(`${url}/#token=${token}`);
    return page;
  }

  it('lists apps and servers with their tools, and adds an app from a folder', async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 820 } });
    const missing: string[] = [];
    page.on('response', (response) => response.status() === 404 && missing.push(response.url()));
    await page.goto(`${url}/#token=${token}`);
    await page.getByRole('heading', { name: 'toolbox' }).waitFor();
    expect(page.url()).not.toContain('token=');
    await expect.poll(() => page.locator('.server-line').count()).toBe(3);
    // Nothing the page asks for is missing.
    expect(missing).toEqual([]);
    await page.getByRole('button', { name: /mcp-everything/ }).click();
    await page.getByText('Echoes back the input string').waitFor();
    await page.screenshot({ path: join(shots, 'servers.png'), fullPage: true });

    const second = makeFixtureApp('mcp-second: node paged.mjs\n', ['paged.mjs'], {}, 'second');
    await page.getByLabel('App folder').fill(second);
    await page.getByRole('button', { name: 'Add app' }).click();
    await page.getByRole('heading', { name: 'second' }).waitFor();
    await expect.poll(() => page.getByLabel('App folder').inputValue(), { timeout: 60_000 }).toBe('');

    await page.getByLabel('App folder').fill('/no/such/folder');
    await page.getByRole('button', { name: 'Add app' }).click();
    await page.getByRole('alert').waitFor();
    await page.screenshot({ path: join(shots, 'add-error.png') });
    expect(await page.getByRole('alert').textContent()).toContain('/no/such/folder: no such folder');
    await page.close();
  });

  it('fits a narrow window: no sideways scrolling, and every page’s controls in view', async () => {
    const page = await browser!.newPage({ viewport: { width: 700, height: 900 } });
    await page.goto(`${url}/#token=${token}`);
    await page.getByRole('heading', { name: 'toolbox' }).waitFor();
    const overflow = () => page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(await overflow()).toBeLessThanOrEqual(0);
    for (const name of ['Add app', 'Sync', 'Remove…']) {
      const box = await page.getByRole('button', { name, exact: true }).first().boundingBox();
      expect(box && box.x + box.width, name).toBeLessThanOrEqual(700);
    }
    // The longest server name wraps in its column instead of running under its status.
    const longName = page.locator('.server-line .strong', { hasText: 'mcp-longlong' });
    expect(await longName.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(shots, 'narrow-servers.png'), fullPage: true });
    for (const name of ['Chat', 'Models', 'Activity']) {
      const nav = page.getByRole('button', { name, exact: true });
      await nav.click();
      await expect.poll(() => nav.getAttribute('aria-current')).toBe('page');
      await page.locator('main').waitFor();
      expect(await overflow(), name).toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(shots, `narrow-${name.toLowerCase()}.png`), fullPage: true });
    }
    await page.close();
  });

  it('shows calls made from the CLI as they happen', async () => {
    const page = await open();
    await page.getByRole('button', { name: 'Activity' }).click();
    await page.getByText('No calls yet').waitFor();
    expect((await cli(home, ['call', 'echo', '--args', '{"message":"from the cli"}'])).code).toBe(0);
    await page.locator('td', { hasText: 'echo' }).waitFor();
    await page.screenshot({ path: join(shots, 'calls.png'), fullPage: true });
    await page.close();
  });

  it('stops and starts a server from its switch', async () => {
    const page = await open();
    const toggle = page.getByRole('switch', { name: 'mcp-paged running' });
    await toggle.waitFor();
    expect(await toggle.isChecked()).toBe(true);
    await toggle.click();
    await expect.poll(() => toggle.isChecked()).toBe(false);
    const refused = await cli(home, ['call', 'mcp-paged/alpha']);
    expect(refused.stderr).toContain('server toolbox/mcp-paged is stopped: start it first');
    await page.screenshot({ path: join(shots, 'server-stopped.png'), fullPage: true });
    await toggle.click();
    await expect.poll(() => toggle.isChecked()).toBe(true);
    expect((await cli(home, ['call', 'mcp-paged/alpha'])).code).toBe(0);
    await page.getByRole('button', { name: 'Models' }).click();
    await page.getByRole('group', { name: 'Connect a client to default' }).waitFor();
    await page.screenshot({ path: join(shots, 'connect.png'), fullPage: true });
    await page.close();
  });

  it('shows a rebuild that failed on its app, with its servers still serving from the image built before', async () => {
    const app = makeFixtureApp('mcp-steady: node paged.mjs\n', ['paged.mjs'], {}, 'steady');
    expect((await cli(home, ['apps:add', app, '--no-attach'])).code).toBe(0);
    writeFileSync(join(app, 'Dockerfile'), `FROM ${testBaseImage}\nRUN echo "no such dependency" >&2 && exit 3\n`);
    const failed = await cli(home, ['sync', 'steady']);
    expect(failed.code, failed.stdout).toBe(1);
    const page = await open();
    const card = page.locator('article', { has: page.getByRole('heading', { name: 'steady' }) });
    await card.getByText('The image did not build.').waitFor();
    await card.getByText('Its servers go on with the image built before.', { exact: false }).waitFor();
    expect(await card.locator('.server-line').count()).toBe(1);
    expect(await card.locator('.server-line').textContent()).not.toContain('error');
    await card.screenshot({ path: join(shots, 'rebuild-failed.png') });
    await page.close();
    expect((await cli(home, ['apps:remove', 'steady'])).code).toBe(0);
  });

  it('opened without its token, says what to run, calls no API, and takes a link pasted later without a reload', async () => {
    const page = await browser.newPage();
    const apiCalls: string[] = [];
    const errors: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.startsWith('/api/')) apiCalls.push(request.url());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url);
    await page.getByText('procdock ui').waitFor();
    await page.screenshot({ path: join(shots, 'no-token.png') });
    expect(apiCalls).toEqual([]);
    // The link serve printed, pasted into the same tab: only the fragment changes, so no reload.
    await page.evaluate(`window.location.hash = 'token=${token}'`);
    await page.getByRole('heading', { name: 'toolbox' }).waitFor();
    expect(page.url()).not.toContain('token=');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('opens from a one-time code (procdock ui) and refuses the same code twice', async () => {
    const response = await fetch(`${url}/api/ui-link`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    const { code } = (await response.json()) as { code: string };
    const page = await browser.newPage();
    await page.goto(`${url}/#code=${code}`);
    await page.getByRole('heading', { name: 'toolbox' }).waitFor();
    const again = await browser.newPage();
    await again.goto(`${url}/#code=${code}`);
    await again.getByRole('alert').getByText(/expired or was already used/).waitFor();
    await page.close();
    await again.close();
  });
});
