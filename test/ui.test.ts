import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './browser.js';
import { ScriptedModel } from './model-server.js';
import { cleanupTempDirs, cli, fixture, makeApp, root, tempDir } from './helpers.js';

const shots = join(root, 'test-results', 'screenshots');

describe('the web UI served by procdock serve', () => {
  let browser: Browser | undefined;
  let hub: ChildProcess;
  let url = '';
  let token = '';
  let home: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    if (!browser) return;
    mkdirSync(shots, { recursive: true });
    home = tempDir();
    const app = makeApp({ Procfile: `web: node web.js\nmcp-everything: mcp-server-everything stdio\nmcp-paged: ${fixture('paged.mjs')}\n` }, 'toolbox');
    expect((await cli(home, ['apps:add', app])).code).toBe(0);
    hub = spawn(process.execPath, [join(root, 'bin', 'procdock'), 'serve', '--port', '0'], {
      env: { PATH: process.env.PATH ?? '', HOME: home, PROCDOCK_HOME: home, PROCDOCK_SANDBOX: 'process', PROCDOCK_LOG_LEVEL: 'warn' },
    });
    url = await new Promise<string>((resolve) => {
      let out = '';
      hub.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /INFERENCE_URL=(\S+)/.exec(out);
        if (match?.[1]) resolve(match[1]);
      });
    });
    token = JSON.parse(readFileSync(join(home, 'hub.json'), 'utf8')).token as string;
  });

  afterAll(async () => {
    await browser?.close();
    hub?.kill('SIGTERM');
    cleanupTempDirs();
  });

  async function open(): Promise<Page> {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 820 } });
    await page.goto(`${url}/#token=${token}`);
    return page;
  }

  it('lists apps and servers with their tools, and adds an app from a folder', async ({ skip }) => {
    if (!browser) return skip();
    const page = await open();
    await page.getByRole('heading', { name: 'toolbox' }).waitFor();
    expect(page.url()).not.toContain('token=');
    await expect.poll(() => page.locator('.server-line').count()).toBe(2);
    await page.getByRole('button', { name: /mcp-everything/ }).click();
    await page.getByText('Echoes back the input string').waitFor();
    await page.screenshot({ path: join(shots, 'servers.png'), fullPage: true });

    const second = makeApp({ Procfile: `mcp-second: ${fixture('paged.mjs')}\n` }, 'second');
    await page.getByLabel('App folder').fill(second);
    await page.getByRole('button', { name: 'Add app' }).click();
    await page.getByRole('heading', { name: 'second' }).waitFor();
    await expect.poll(() => page.getByLabel('App folder').inputValue()).toBe('');

    await page.getByLabel('App folder').fill('/no/such/folder');
    await page.getByRole('button', { name: 'Add app' }).click();
    await page.getByRole('alert').waitFor();
    await page.screenshot({ path: join(shots, 'add-error.png') });
    expect(await page.getByRole('alert').textContent()).toContain('/no/such/folder: no such folder');
    await page.close();
  });

  it('shows calls made from the CLI as they happen', async ({ skip }) => {
    if (!browser) return skip();
    const page = await open();
    await page.getByRole('button', { name: 'Calls' }).click();
    await page.getByText('No calls yet').waitFor();
    expect((await cli(home, ['call', 'echo', '--args', '{"message":"from the cli"}'])).code).toBe(0);
    await page.locator('td', { hasText: 'echo' }).waitFor();
    await page.screenshot({ path: join(shots, 'calls.png'), fullPage: true });
    await page.close();
  });

  it('stops and starts a server from its switch', async ({ skip }) => {
    if (!browser) return skip();
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
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.getByText('procdock connect cursor').waitFor();
    await page.screenshot({ path: join(shots, 'connect.png'), fullPage: true });
    await page.close();
  });

  it('chats with a model that calls a tool, the tokens streaming in', async ({ skip }) => {
    if (!browser) return skip();
    const model = await new ScriptedModel().start();
    try {
      expect((await cli(home, ['models:create', 'scripted', '--provider', 'openai', '--model', 'scripted-1', '--base-url', `${model.url}/v1`])).code).toBe(0);
      expect((await cli(home, ['attach', 'toolbox', '--resource', 'scripted'])).code).toBe(0);
      model.play({ content: 'Let me echo that.', tool_calls: [{ name: 'mcp-everything/echo', arguments: { message: 'hello from chat' } }] }, { content: 'The server said: Echo: hello from chat' });
      const page = await open();
      await page.getByRole('button', { name: 'Chat' }).click();
      await page.getByLabel('Model resource').selectOption('scripted');
      await page.locator('.tool-picker summary').click();
      await page.getByLabel('mcp-everything/echo', { exact: true }).check();
      await page.getByRole('textbox', { name: 'Message' }).fill('Please echo "hello from chat"');
      await page.getByRole('button', { name: 'Send' }).click();
      await page.getByText('The server said: Echo: hello from chat').waitFor();
      await page.getByText('→ mcp-everything/echo').waitFor();
      expect(await page.locator('pre.result').first().textContent()).toBe('Echo: hello from chat');
      expect(model.requests[0]!.body.stream).toBe(true);
      await page.screenshot({ path: join(shots, 'chat.png'), fullPage: true });
      await page.close();
    } finally {
      await model.stop();
    }
  });

  it('asks for the token link when opened without one', async ({ skip }) => {
    if (!browser) return skip();
    const page = await browser!.newPage();
    await page.goto(url);
    await page.getByText('procdock serve --open').waitFor();
    await page.close();
  });
});
