import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser } from './browser.js';
import { dockerEngine, testNodeImage } from './docker.js';
import { cleanupTempDirs, freshHome, root, tempDir } from './helpers.js';
import { serveHub, type ServedHub } from './hub-process.js';

const shots = join(root, 'test-results', 'screenshots');
const ready = browserAvailable() && (await dockerEngine()) !== undefined;

describe.skipIf(!ready)('the web UI while an image builds', () => {
  let browser: Browser;
  let hub: ServedHub;

  beforeAll(async () => {
    browser = await launchBrowser();
    mkdirSync(shots, { recursive: true });
    hub = await serveHub(freshHome());
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
    cleanupTempDirs();
  });

  it('shows the build’s progress lines, then the built image', async () => {
    const app = join(tempDir(), 'slow-build');
    mkdirSync(app);
    writeFileSync(join(app, 'Procfile'), 'mcp-slow: node server.mjs\n');
    writeFileSync(join(app, 'server.mjs'), readFileSync(join(root, 'test/fixtures/servers/paged.mjs'), 'utf8'));
    writeFileSync(join(app, 'mini-mcp.mjs'), readFileSync(join(root, 'test/fixtures/servers/mini-mcp.mjs'), 'utf8'));
    writeFileSync(
      join(app, 'Dockerfile'),
      // A fresh nonce each run: the engine's layer cache must not skip the slow step.
      `FROM ${testNodeImage}\nWORKDIR /app\nRUN node -e "setTimeout(() => console.log('warming up ${randomUUID()}'), 2500)"\nCOPY . .\n`,
    );
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    // Progress lines reach a page only once it follows the hub's events: under a full test run the
    // page can render its form before its event stream is open, and lines sent before then are gone.
    const following = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/events', { timeout: 60_000 });
    await page.goto(`${hub.url}/#token=${hub.adminToken()}`);
    await following;
    await page.getByLabel('App folder').fill(app);
    await page.getByRole('button', { name: 'Add app' }).click();
    const progress = page.getByRole('status');
    // Under a full test run the engine may take a while to reach its first step.
    await progress.getByText(/Building slow-build: .*(Step|warming up)/).waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(shots, 'building.png') });
    await page.getByText('image built').waitFor({ timeout: 60_000 });
    expect(await progress.count()).toBe(0);
    await page.close();
  }, 180_000);
});
