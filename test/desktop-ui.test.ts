import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser } from './browser.js';
import { dockerEngine } from './docker.js';
import { cleanupTempDirs, cli, fixtureFiles, freshHome, makeFixtureApp, makeNpmApp, root } from './helpers.js';
import { serveHub, type ServedHub } from './hub-process.js';
import { ScriptedModel } from './model-server.js';

const shots = join(root, 'test-results', 'screenshots');
const ready = browserAvailable() && (await dockerEngine()) !== undefined;

/** Presses Tab until the focused element's label matches, as a keyboard user would. */
async function tabTo(page: Page, wanted: RegExp): Promise<void> {
  for (let i = 0; i < 200; i++) {
    await page.keyboard.press('Tab');
    const label = await page.evaluate<string>(`(() => {
      const el = document.activeElement;
      return (el?.getAttribute('aria-label') || el?.textContent || '').trim();
    })()`);
    if (wanted.test(label)) return;
  }
  throw new Error(`Tab never reached ${wanted}`);
}

async function mcpStatus(url: string, key: string): Promise<number> {
  const response = await fetch(`${url}/mcp`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 'probe', version: '1' } } }),
  });
  await response.body?.cancel();
  return response.status;
}

describe.skipIf(!ready)('the desktop app’s UI, in Chromium against procdock serve with Docker', () => {
  let browser: Browser;
  let hub: ServedHub;
  let model: ScriptedModel;
  let home: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    mkdirSync(shots, { recursive: true });
    model = await new ScriptedModel().start();
    home = freshHome();
    const toolbox = makeNpmApp(
      'web: node web.js\nmcp-everything: mcp-server-everything stdio\nmcp-memory: mcp-server-memory\nmcp-probe: node probe.mjs\n',
      ['@modelcontextprotocol/server-everything', '@modelcontextprotocol/server-memory'],
      'toolbox',
      { ...fixtureFiles('probe.mjs'), 'procdock.json': JSON.stringify({ servers: { 'mcp-memory': { memory_mb: 1024, ttl_seconds: 300 } } }) },
    );
    const twin = makeFixtureApp('mcp-memory: node paged.mjs\n', ['paged.mjs'], {}, 'twin');
    for (const args of [['apps:add', toolbox], ['apps:add', twin, '--no-attach'], ['config:set', 'toolbox', 'MEMORY_FILE_PATH=/tmp/memory.jsonl', 'API_TOKEN=tok-123-secret']]) {
      const done = await cli(home, args);
      expect(done.code, done.stderr).toBe(0);
    }
    // Onboarding probes Ollama's and LM Studio's ports: here Ollama is the scripted model, LM Studio is absent.
    hub = await serveHub(home, [], { PROCDOCK_OLLAMA_URL: model.url, PROCDOCK_LMSTUDIO_URL: 'http://127.0.0.1:9' });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
    await model?.stop();
    cleanupTempDirs();
  });

  async function open(colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 820 }, colorScheme });
    await page.goto(`${hub.url}/#token=${hub.adminToken()}`);
    await page.getByRole('heading', { name: 'toolbox' }).waitFor();
    return page;
  }
  const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name }).click();

  it('onboards a new user in Chat: no usable model, the local Ollama offered first, a resource made from its preset', async () => {
    const page = await open();
    await nav(page, 'Chat');
    await page.getByRole('heading', { name: 'Pick a model to chat with' }).waitFor();
    const presets = page.getByRole('group', { name: 'Presets' }).getByRole('button');
    await expect.poll(() => presets.first().textContent()).toContain('running here · 1 model');
    expect(await presets.first().textContent()).toContain('Ollama');
    await page.screenshot({ path: join(shots, 'onboarding-light.png') });
    await presets.first().click();
    expect(await page.getByLabel('Model id').inputValue()).toBe('scripted-1');
    expect(await page.getByLabel('Base URL').inputValue()).toBe(`${model.url}/v1`);
    await page.getByRole('button', { name: 'Create ollama' }).click();
    await page.getByText('Ask anything').waitFor();
    expect(await page.getByLabel('Model resource').inputValue()).toBe('ollama');
    const models = JSON.parse((await cli(home, ['models', '--json'])).stdout) as { name: string; base_url: string; model_id: string }[];
    expect(models.find((m) => m.name === 'ollama')).toMatchObject({ base_url: `${model.url}/v1`, model_id: 'scripted-1' });
    await page.close();
  });

  it('attaches and detaches an app, and shows a clash in place without changing anything', async () => {
    const page = await open();
    const twin = page.getByRole('article', { name: /twin/ });
    await twin.getByLabel('Resource to attach twin to').selectOption('default');
    await twin.getByRole('button', { name: 'Attach' }).click();
    await expect.poll(() => twin.getByRole('alert').textContent()).toMatch(/process "mcp-memory" is in both app "toolbox" and app "twin"/);
    await page.screenshot({ path: join(shots, 'attach-clash.png') });
    expect((await cli(home, ['models', '--json'])).stdout).not.toMatch(/"twin"/);

    await twin.getByLabel('Resource to attach twin to').selectOption('ollama');
    await twin.getByRole('button', { name: 'Attach' }).click();
    await twin.getByRole('button', { name: 'Detach twin from ollama' }).waitFor();
    expect(await twin.getByRole('alert').count()).toBe(0);
    const attached = JSON.parse((await cli(home, ['apps', '--json'])).stdout) as { name: string; resources: string[] }[];
    expect(attached.find((a) => a.name === 'twin')?.resources).toEqual(['ollama']);
    await twin.getByRole('button', { name: 'Detach twin from ollama' }).click();
    await expect.poll(() => twin.getByText('no resource: its tools are in no toolkit').count()).toBe(1);
    const toolbox = page.getByRole('article', { name: /toolbox/ });
    await toolbox.getByLabel('Resource to attach toolbox to').selectOption('ollama');
    await toolbox.getByRole('button', { name: 'Attach' }).click();
    await toolbox.getByRole('button', { name: 'Detach toolbox from ollama' }).waitFor();
    await page.close();
  });

  it('rotates a key from the Models page, and /mcp refuses the old one at once', async () => {
    const page = await open();
    await nav(page, 'Models');
    const card = page.getByRole('article', { name: /^default/ });
    await card.getByRole('button', { name: 'Reveal key of default' }).click();
    const shown = card.getByLabel('INFERENCE_KEY of default');
    await expect.poll(() => shown.textContent()).toMatch(/^inf-[0-9a-f-]{36}$/);
    const old = (await shown.textContent())!;
    expect(old).toBe(await hub.key());
    expect(await mcpStatus(hub.url, old)).toBe(200);
    await card.getByRole('button', { name: 'Rotate… key of default' }).click();
    await card.getByRole('button', { name: 'Rotate now: the old key stops working' }).click();
    await expect.poll(() => shown.textContent()).not.toBe(old);
    await card.getByText('the old one is refused from now on').waitFor();
    const fresh = (await shown.textContent())!;
    expect(await mcpStatus(hub.url, old)).toBe(401);
    expect(await mcpStatus(hub.url, fresh)).toBe(200);
    expect(await hub.key()).toBe(fresh);
    await page.close();
  });

  it('chats with the scripted model, which calls a tool: the card shows name, server, arguments, result and time; the conversation survives a reload', async () => {
    model.play(
      { content: 'Let me echo that.', tool_calls: [{ name: 'mcp-everything/echo', arguments: { message: 'hello from chat' } }] },
      { content: 'The server said **Echo: hello from chat**.' },
    );
    const page = await open();
    await nav(page, 'Chat');
    await page.getByLabel('Model resource').selectOption('ollama');
    await page.getByRole('button', { name: /^Tools/ }).click();
    await page.getByLabel('Search tools').fill('echo');
    await page.getByRole('dialog', { name: 'Pick tools' }).getByLabel('echo', { exact: true }).check();
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('textbox', { name: 'Message' }).fill('Please echo "hello from chat"');
    await page.getByRole('button', { name: 'Send' }).click();
    const card = page.getByLabel('Tool call echo');
    await card.getByText('done').waitFor();
    expect(await card.textContent()).toContain('toolbox/mcp-everything');
    expect(await card.locator('pre.result').textContent()).toBe('Echo: hello from chat');
    await page.locator('.markdown strong', { hasText: 'Echo: hello from chat' }).waitFor();
    expect(model.requests[0]!.body.stream).toBe(true);

    await page.reload();
    await nav(page, 'Chat');
    await page.getByRole('complementary', { name: 'Conversations' }).getByRole('button', { name: /^Please echo "hello from chat"/ }).click();
    await page.getByLabel('Tool call echo').getByText('Echo: hello from chat').waitFor();

    // The next turn carries the tool's result back to the model: it remembers what the tool said.
    model.play({ content: 'It said the same thing.' });
    await page.getByRole('textbox', { name: 'Message' }).fill('What did it say?');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('It said the same thing.').waitFor();
    const sent = model.requests[0]!.body.messages as { role: string; content: string | null; tool_calls?: { function: { name: string } }[] }[];
    expect(sent.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant', 'user']);
    expect(sent[2]!.content).toBe("Tool 'echo' returned result: Echo: hello from chat");
    await page.close();
  });

  it('stops a running chat from its Stop button; the tool card says stopped and the call ends', async () => {
    model.play({ tool_calls: [{ name: 'mcp-probe/slow', arguments: { ms: 60_000 } }] }, { content: 'never' });
    const page = await open();
    await nav(page, 'Chat');
    await page.getByRole('button', { name: '+ New chat' }).click();
    // The resource with no key gives way to one that can answer.
    expect(await page.getByLabel('Model resource').inputValue()).toBe('ollama');
    await page.getByRole('button', { name: /^Tools/ }).click();
    await page.getByRole('dialog', { name: 'Pick tools' }).getByLabel('All tools of toolbox/mcp-probe').check();
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('textbox', { name: 'Message' }).fill('wait a minute');
    await page.keyboard.press('Enter');
    await page.getByLabel('Tool call slow').getByText('running…').waitFor();
    await page.getByRole('button', { name: '■ Stop' }).click();
    await page.getByLabel('Tool call slow').getByText('stopped').waitFor();
    await page.getByRole('button', { name: 'Send' }).waitFor();
    await expect.poll(async () => (JSON.parse((await cli(home, ['calls', '--json', '--limit', '1'])).stdout) as { status: string }[])[0]?.status, { timeout: 30_000 }).toBe('error');
    await page.close();
  });

  it('stops a server from its switch, and calls to it are refused until it is started again', async () => {
    const page = await open();
    const toggle = page.getByRole('switch', { name: 'mcp-everything running' });
    expect(await toggle.isChecked()).toBe(true);
    await toggle.click();
    await expect.poll(() => toggle.isChecked()).toBe(false);
    const refused = await cli(home, ['call', 'echo', '--args', '{"message":"x"}']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('server toolbox/mcp-everything is stopped: start it first');
    await page.screenshot({ path: join(shots, 'server-stopped.png'), fullPage: true });
    await toggle.click();
    await expect.poll(() => toggle.isChecked()).toBe(true);
    expect((await cli(home, ['call', 'echo', '--args', '{"message":"back on"}'])).code).toBe(0);
    await page.close();
  });

  it('filters the call log and opens a call with its arguments, result and timing', async () => {
    const page = await open();
    await nav(page, 'Activity');
    await page.getByRole('button', { name: /^Open call echo/ }).first().waitFor();
    await page.getByLabel('Filter by status').selectOption('error');
    await expect.poll(() => page.getByRole('button', { name: /^Open call / }).allTextContents()).toEqual(['slow']);
    await page.getByLabel('Filter by status').selectOption('');
    await page.getByLabel('Filter by server').selectOption('toolbox/mcp-everything');
    await page.getByLabel('Filter by tool').selectOption('echo');
    await expect.poll(() => page.getByRole('button', { name: /^Open call / }).count()).toBe(2);
    expect(new Set(await page.getByRole('button', { name: /^Open call / }).allTextContents())).toEqual(new Set(['echo']));
    await page.getByRole('button', { name: /^Open call echo/ }).first().click();
    const drawer = page.getByRole('dialog', { name: 'Call echo' });
    await drawer.getByText('Echo: back on', { exact: true }).waitFor();
    expect(await drawer.textContent()).toMatch(/"message": "back on"/);
    expect(await drawer.textContent()).toMatch(/Container start.*Server init.*Tool run.*Total/s);
    await page.keyboard.press('Escape');
    await expect.poll(() => drawer.count()).toBe(0);
    await page.close();
  });

  it('shows a server’s tools with schemas and badges, its sandbox and procdock.json loosenings, and config vars hidden until revealed', async () => {
    const page = await open();
    await page.getByRole('button', { name: /mcp-memory.*mcp-server-memory/ }).click();
    const detail = page.getByRole('tablist', { name: 'mcp-memory details' });
    await detail.waitFor();
    await page.getByRole('button', { name: /read_graph/ }).click();
    await page.getByText('read-only', { exact: true }).first().waitFor();
    await page.getByRole('tab', { name: 'Sandbox' }).click();
    await page.getByText('procdock.json: 512 MiB, no swap → 1024 MiB, no swap').waitFor();
    await page.getByText('The app’s procdock.json loosens memory_mb, ttl_seconds for this server.').waitFor();
    await page.getByRole('tab', { name: /Config vars/ }).click();
    const value = page.getByLabel('API_TOKEN value');
    expect(await value.textContent()).toBe('••••••••');
    expect(await page.content()).not.toContain('tok-123-secret');
    await page.getByRole('button', { name: 'Reveal API_TOKEN' }).click();
    await expect.poll(() => value.textContent()).toBe('tok-123-secret');
    await page.close();
  });

  it('can be used with the keyboard only', async () => {
    model.play({ content: 'Typed without a mouse.' });
    const page = await open();
    await tabTo(page, /^Activity$/);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Activity' }).waitFor();
    await tabTo(page, /^Open call /);
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: /^Call / }).waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    await tabTo(page, /^Servers$/);
    await page.keyboard.press('Enter');
    await tabTo(page, /^mcp-probe running$/);
    await page.keyboard.press('Space');
    await expect.poll(() => page.getByRole('switch', { name: 'mcp-probe running' }).isChecked()).toBe(false);
    await page.keyboard.press('Space');
    await expect.poll(() => page.getByRole('switch', { name: 'mcp-probe running' }).isChecked()).toBe(true);
    await tabTo(page, /^Chat$/);
    await page.keyboard.press('Enter');
    await tabTo(page, /^Message$/);
    await page.keyboard.type('hello by keyboard');
    await page.keyboard.press('Enter');
    await page.getByText('Typed without a mouse.').waitFor();
    await page.close();
  });

  it.each(['light', 'dark'] as const)('takes a screenshot of every page in the %s theme', async (theme) => {
    const page = await open(theme);
    await page.getByRole('button', { name: /mcp-everything.*mcp-server-everything/ }).click();
    await page.getByRole('button', { name: /^echo/ }).click();
    await page.screenshot({ path: join(shots, `servers-${theme}.png`), fullPage: true });
    await nav(page, 'Models');
    await page.getByRole('article', { name: /^ollama/ }).waitFor();
    await page.screenshot({ path: join(shots, `models-${theme}.png`), fullPage: true });
    await nav(page, 'Activity');
    await page.locator('.chart canvas').waitFor();
    await page.screenshot({ path: join(shots, `activity-${theme}.png`), fullPage: true });
    await page.getByRole('button', { name: /^Open call echo/ }).first().click();
    await page.getByRole('dialog', { name: 'Call echo' }).waitFor();
    await page.screenshot({ path: join(shots, `activity-call-${theme}.png`) });
    await page.keyboard.press('Escape');
    await nav(page, 'Chat');
    await page.getByRole('complementary', { name: 'Conversations' }).getByRole('button', { name: /^Please echo/ }).click();
    await page.getByLabel('Tool call echo').waitFor();
    await page.screenshot({ path: join(shots, `chat-${theme}.png`) });
    await page.getByRole('button', { name: /^Tools/ }).click();
    await page.getByRole('dialog', { name: 'Pick tools' }).waitFor();
    await page.screenshot({ path: join(shots, `chat-tools-${theme}.png`) });
    await page.close();
  });
});
