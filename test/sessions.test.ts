import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallRecordView, ServerView } from '../src/shared/api.js';
import { containersOf, dockerEngine, homeLabel } from './docker.js';
import { cleanupTempDirs, cli, freshHome, makeNpmApp } from './helpers.js';
import { serveHub, type ServedHub } from './hub-process.js';

const docker = await dockerEngine();

afterAll(cleanupTempDirs);

async function until(check: () => Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe.skipIf(!docker)('session-lifetime servers through the toolkit', () => {
  let home: string;
  let hub: ServedHub;
  let label: string;

  beforeAll(async () => {
    home = freshHome();
    label = await homeLabel(home);
    const thinking = makeNpmApp('mcp-thinking: mcp-server-sequential-thinking\n', ['@modelcontextprotocol/server-sequential-thinking'], 'thinking', {
      'procdock.json': JSON.stringify({ servers: { 'mcp-thinking': { lifetime: 'session', idle_seconds: 10 } } }),
    });
    const everything = makeNpmApp('mcp-everything: mcp-server-everything stdio\n', ['@modelcontextprotocol/server-everything'], 'everything');
    for (const app of [thinking, everything]) expect((await cli(home, ['apps:add', app])).code).toBe(0);
    hub = await serveHub(home);
  }, 240_000);
  afterAll(async () => {
    await hub?.stop();
  });

  async function session(): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
    const client = new Client({ name: 'sessions', version: '1' });
    const transport = new StreamableHTTPClientTransport(new URL(`${hub.url}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${await hub.key()}` } } });
    await client.connect(transport);
    return { client, transport };
  }

  async function think(client: Client, thoughtNumber: number): Promise<{ thoughtHistoryLength: number }> {
    const result = (await client.callTool({
      name: 'sequentialthinking',
      arguments: { thought: `thought ${thoughtNumber}`, thoughtNumber, totalThoughts: 3, nextThoughtNeeded: true },
    })) as { content: { text: string }[] };
    return JSON.parse(result.content[0]!.text) as { thoughtHistoryLength: number };
  }

  const sessionContainers = async () => (await containersOf(docker!, label)).filter((c) => c.Labels['procdock.server'] === 'thinking/mcp-thinking' && c.Labels['procdock.call'] !== 'sync');

  it('says which servers keep state: the server list, the CLI and the toolkit’s instructions', async () => {
    const servers = JSON.parse((await cli(home, ['servers', '--json'])).stdout) as ServerView[];
    expect(servers.find((s) => s.process_type === 'mcp-thinking')?.lifetime).toBe('session');
    expect(servers.find((s) => s.process_type === 'mcp-everything')?.lifetime).toBe('call');
    expect((await cli(home, ['servers'])).stdout).toMatch(/thinking\/mcp-thinking .*\n {2}keeps state: one container per client session/);
    const { client } = await session();
    expect(client.getInstructions()).toContain('keep state for the length of this session, in one container of their own: mcp-thinking');
    await client.close();
  });

  it('keeps one container for a session: the second thought sees the first; another session starts fresh', async () => {
    const a = await session();
    expect((await think(a.client, 1)).thoughtHistoryLength).toBe(1);
    expect((await think(a.client, 2)).thoughtHistoryLength).toBe(2);
    const [second, first] = JSON.parse((await cli(home, ['calls', '--json', '--limit', '2'])).stdout) as CallRecordView[];
    expect(second!.container_id).toBe(first!.container_id);
    expect(second!.warm).toBe(true);

    const b = await session();
    expect((await think(b.client, 1)).thoughtHistoryLength).toBe(1);
    expect((await sessionContainers()).filter((c) => c.State === 'running').length).toBeGreaterThanOrEqual(2);

    // Deleting the session (Streamable HTTP DELETE) ends its container.
    const aContainer = first!.container_id!;
    await a.transport.terminateSession();
    await a.client.close();
    await until(async () => !(await sessionContainers()).some((c) => c.Id === aContainer), 'the deleted session’s container to go');

    // The other one goes after idle_seconds (10) without a call.
    const [bCall] = JSON.parse((await cli(home, ['calls', '--json', '--limit', '1'])).stdout) as CallRecordView[];
    await until(async () => !(await sessionContainers()).some((c) => c.Id === bCall!.container_id), 'the idle session’s container to go');
    await b.client.close();
  }, 120_000);

  it('starts a session’s container anew when its server changes (config vars), so calls see the change', async () => {
    const { client } = await session();
    expect((await think(client, 1)).thoughtHistoryLength).toBe(1);
    expect((await think(client, 2)).thoughtHistoryLength).toBe(2);
    expect((await cli(home, ['config:set', 'thinking', 'DISABLE_THOUGHT_LOGGING=true'])).code).toBe(0);
    expect((await think(client, 3)).thoughtHistoryLength).toBe(1);
    await client.close();
  }, 60_000);

  it('starts fresh for procdock call, which belongs to no session', async () => {
    const args = JSON.stringify({ thought: 'alone', thoughtNumber: 1, totalThoughts: 1, nextThoughtNeeded: false });
    for (let i = 0; i < 2; i++) {
      const run = await cli(home, ['call', 'sequentialthinking', '--args', args]);
      expect(JSON.parse(JSON.parse(run.stdout).content[0].text).thoughtHistoryLength).toBe(1);
    }
  });

  it('refuses subscriptions to a server that starts fresh at every call, saying how to change it', async () => {
    const { client } = await session();
    const [resource] = (await client.listResources()).resources;
    await expect(client.subscribeResource({ uri: resource!.uri })).rejects.toThrow(/starts fresh at every call.*"lifetime": "session"/);
    await client.close();
  });

  it('sends a session-lifetime server’s resource updates to the subscribing session only', async () => {
    expect((await cli(home, ['apps:remove', 'everything'])).code).toBe(0);
    const stateful = makeNpmApp('mcp-everything: mcp-server-everything stdio\n', ['@modelcontextprotocol/server-everything'], 'everything-live', {
      'procdock.json': JSON.stringify({ servers: { 'mcp-everything': { lifetime: 'session' } } }),
    });
    expect((await cli(home, ['apps:add', stateful])).code).toBe(0);
    const watcher = await session();
    const bystander = await session();
    const heard: string[] = [];
    const overheard: string[] = [];
    watcher.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void heard.push(n.params.uri));
    bystander.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void overheard.push(n.params.uri));
    const [resource] = (await watcher.client.listResources()).resources;
    await watcher.client.subscribeResource({ uri: resource!.uri });
    await watcher.client.callTool({ name: 'toggle-subscriber-updates', arguments: {} });
    await bystander.client.callTool({ name: 'toggle-subscriber-updates', arguments: {} });
    await until(async () => heard.length > 0, 'a resources/updated notification', 20_000);
    expect(heard[0]).toBe(resource!.uri);
    expect(overheard).toEqual([]);
    await watcher.client.unsubscribeResource({ uri: resource!.uri });
    await watcher.client.close();
    await bystander.client.close();
  }, 120_000);
});
