import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationView, LocalModelServer, ModelResourceView, ServerDetailView } from '../src/shared/api.js';
import { dockerEngine } from './docker.js';
import { cleanupTempDirs, cli, freshHome, makeFixtureApp, makeNpmApp } from './helpers.js';
import { serveHub, type ServedHub } from './hub-process.js';
import { readFrames, ScriptedModel } from './model-server.js';

const docker = await dockerEngine();

describe.skipIf(!docker)('what the desktop app asks of procdock serve', () => {
  let home: string;
  let hub: ServedHub;
  let model: ScriptedModel;

  beforeAll(async () => {
    model = await new ScriptedModel().start();
    home = freshHome();
    const app = makeNpmApp('mcp-memory: mcp-server-memory\n', ['@modelcontextprotocol/server-memory'], 'notes', {
      'procdock.json': JSON.stringify({ servers: { 'mcp-memory': { memory_mb: 1024, ttl_seconds: 300 } } }),
    });
    const added = await cli(home, ['apps:add', app]);
    expect(added.code, added.stderr).toBe(0);
    expect((await cli(home, ['config:set', 'notes', 'MEMORY_FILE_PATH=/tmp/memory.jsonl', 'SECRET_TOKEN=s3cr3t-value'])).code).toBe(0);
    // Onboarding probes Ollama's and LM Studio's ports; here Ollama is the scripted model and LM Studio is absent.
    hub = await serveHub(home, [], { PROCDOCK_OLLAMA_URL: model.url, PROCDOCK_LMSTUDIO_URL: 'http://127.0.0.1:9' });
  }, 240_000);

  afterAll(async () => {
    await hub?.stop();
    await model?.stop();
    cleanupTempDirs();
  });

  async function api<T>(name: string, input: unknown = {}): Promise<{ status: number; body: T }> {
    const response = await fetch(`${hub.url}/api/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${hub.adminToken()}` },
      body: JSON.stringify(input),
    });
    return { status: response.status, body: (await response.json()) as T };
  }

  function toolkitClient(key: string): Client {
    const client = new Client({ name: 'key-test', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(`${hub.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}` } } });
    return Object.assign(client, { connectNow: () => client.connect(transport) });
  }

  it('rotates a key with procdock key:rotate: the old one is refused by /mcp at once, even mid-session', async () => {
    const old = await hub.key();
    const client = toolkitClient(old) as Client & { connectNow(): Promise<void> };
    await client.connectNow();
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('read_graph');

    const rotated = await cli(home, ['key:rotate']);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toContain('the old one is refused from now on');
    const fresh = await hub.key();
    expect(fresh).not.toBe(old);
    expect(rotated.stdout).toContain(`INFERENCE_KEY=${fresh}`);

    await expect(client.listTools()).rejects.toThrow(/not an INFERENCE_KEY of this hub/);
    const initialize = await fetch(`${hub.url}/mcp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${old}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }),
    });
    expect(initialize.status).toBe(401);
    expect(initialize.headers.get('www-authenticate')).toContain('Bearer');

    const again = toolkitClient(fresh) as Client & { connectNow(): Promise<void> };
    await again.connectNow();
    const result = await again.callTool({ name: 'read_graph', arguments: {} });
    expect(result.isError).toBeFalsy();
    await again.close();
    await client.close().catch(() => undefined);
  });

  it('finds a local model server for onboarding, and makes a resource from it that chats without a key', async () => {
    const { body: found } = await api<LocalModelServer[]>('models.discover');
    expect(found).toEqual([{ preset: 'ollama', label: 'Ollama', base_url: `${model.url}/v1`, models: ['scripted-1'] }]);
    const { body: created } = await api<ModelResourceView>('models.create', { name: 'local', provider: 'openai', model: 'scripted-1', base_url: found[0]!.base_url });
    expect(created).toMatchObject({ name: 'local', key_status: 'not_needed' });
    model.play({ content: 'Hello from the local model.' });
    const response = await fetch(`${hub.url}/api/agent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${hub.adminToken()}` },
      body: JSON.stringify({ resource: 'local', messages: [{ role: 'user', content: 'hi' }] }),
    });
    const frames = await readFrames(response);
    expect(frames.at(-1)?.event).toBe('done');
    expect(frames.map((f) => f.data).join('')).toContain('Hello from the local model.');
  });

  it('names the cause when a chat cannot reach its model: no key, wrong key, rate limit, unreachable', async () => {
    const agent = (resource: string) =>
      fetch(`${hub.url}/api/agent`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${hub.adminToken()}` },
        body: JSON.stringify({ resource, messages: [{ role: 'user', content: 'hi' }] }),
      });
    const { body: fallback } = await api<ModelResourceView[]>('models.list');
    expect(fallback.find((m) => m.name === 'default')).toMatchObject({ key_status: 'missing' });
    const noKey = await agent('default');
    expect(noKey.status).toBe(400);
    expect(((await noKey.json()) as { error: { message: string } }).error.message).toMatch(/^no API key: model resource "default" \(OpenAI gpt-4o-mini\)/);

    expect((await api('models.create', { name: 'remote', provider: 'openai', model: 'm', base_url: `${model.url.replace('127.0.0.1', 'localhost')}/v1`, api_key: 'sk-wrong' })).status).toBe(200);
    for (const [status, cause] of [[401, /^wrong API key: .* refused it with 401/], [429, /^rate-limited: /]] as const) {
      model.play({ status, message: 'scripted' });
      const frames = await readFrames(await agent('remote'));
      expect(frames.map((f) => f.event)).toEqual(['error', 'done']);
      expect((JSON.parse(frames[0]!.data) as { error: { message: string } }).error.message).toMatch(cause);
    }
    expect((await api('models.update', { name: 'remote', base_url: 'http://127.0.0.1:9/v1' })).status).toBe(200);
    const frames = await readFrames(await agent('remote'));
    expect((JSON.parse(frames[0]!.data) as { error: { message: string } }).error.message).toMatch(/^unreachable: .* at http:\/\/127\.0\.0\.1:9\/v1 — is it running\?/);
  });

  it('keeps conversations in the catalog: saved, listed newest first, renamed, removed', async () => {
    const entries = [{ role: 'user', text: 'What is in my notes?', tools: [] }, { role: 'assistant', text: 'Nothing yet.', tools: [] }];
    const { body: saved } = await api<ConversationView>('conversations.save', { resource: 'default', tools: ['read_graph'], entries });
    expect(saved).toMatchObject({ title: 'What is in my notes?', resource: 'default', tools: ['read_graph'], entries });
    await api('conversations.save', { id: saved.id, resource: 'default', entries: [...entries, { role: 'user', text: 'More?', tools: [] }] });
    await hub.stop();
    hub = await serveHub(home, [], { PROCDOCK_OLLAMA_URL: model.url });
    const { body: listed } = await api<{ id: string; title: string }[]>('conversations.list');
    expect(listed.map((c) => c.title)).toEqual(['What is in my notes?']);
    expect((await api<ConversationView>('conversations.get', { id: saved.id })).body.entries).toHaveLength(3);
    expect((await api('conversations.rename', { id: saved.id, title: 'Notes' })).body).toMatchObject({ title: 'Notes' });
    expect((await api('conversations.rename', { id: saved.id, title: '  ' })).status).toBe(400);
    expect((await api('conversations.remove', { id: saved.id })).status).toBe(200);
    expect((await api('conversations.get', { id: saved.id })).status).toBe(404);
  }, 120_000);

  it('shows a server’s details: procdock.json loosenings, config var names without values until revealed', async () => {
    const { body: detail } = await api<ServerDetailView>('servers.detail', { app: 'notes', process: 'mcp-memory' });
    expect(detail.changed_settings).toEqual({ memory_mb: [512, 1024], ttl_seconds: [120, 300] });
    expect(detail.loosened).toEqual(['memory 1024 MiB (default 512)', 'calls run up to 300 s (default 120)']);
    expect(detail.settings).toMatchObject({ network: 'none', read_only: true, memory_mb: 1024 });
    expect(detail.config_keys).toEqual(['MEMORY_FILE_PATH', 'SECRET_TOKEN']);
    expect(detail.server_info?.name).toBeTruthy();
    expect(detail.tools.find((t) => t.name === 'read_graph')?.annotations).toMatchObject({ readOnlyHint: true });
    expect(JSON.stringify(detail)).not.toContain('s3cr3t-value');
    const { body: keys } = await api('config.keys', { app: 'notes' });
    expect(JSON.stringify(keys)).not.toContain('s3cr3t-value');
    expect((await api('config.reveal', { app: 'notes', key: 'SECRET_TOKEN' })).body).toEqual({ app: 'notes', key: 'SECRET_TOKEN', value: 's3cr3t-value' });
    expect((await api('config.reveal', { app: 'notes', key: 'NOPE' })).status).toBe(404);
  });

  it('refuses an attach that clashes, naming both apps and the process, and changes nothing', async () => {
    const twin = makeFixtureApp('mcp-memory: node paged.mjs\n', ['paged.mjs'], {}, 'twin');
    const added = await cli(home, ['apps:add', twin, '--no-attach']);
    expect(added.code, added.stderr).toBe(0);
    const refused = await api<{ error: { code: string; message: string } }>('attach', { app: 'twin', resource: 'default' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/process "mcp-memory" is in both app "notes" and app "twin"/);
    expect((await api<ModelResourceView[]>('models.list')).body.find((m) => m.name === 'default')?.apps).toEqual(['notes']);
  }, 120_000);
});
