import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  ResourceListChangedNotificationSchema,
  ToolListChangedNotificationSchema,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerView } from '../src/shared/api.js';
import { dockerEngine } from './docker.js';
import { cleanupTempDirs, cli, freshHome, makeFixtureApp, makeNpmApp, root, tempDir } from './helpers.js';
import { serveHub, type ServedHub } from './hub-process.js';

const docker = await dockerEngine();

type Transport = 'http' | 'sse';

async function connect(hub: ServedHub, transport: Transport, key: string): Promise<Client> {
  const client = new Client({ name: 'toolkit-test', version: '1' });
  const headers = { Authorization: `Bearer ${key}` };
  await client.connect(
    transport === 'http'
      ? new StreamableHTTPClientTransport(new URL(`${hub.url}/mcp`), { requestInit: { headers } })
      : new SSEClientTransport(new URL(`${hub.url}/mcp/sse`), { requestInit: { headers } }),
  );
  return client;
}

describe.skipIf(!docker)('the toolkit, with servers in Docker', () => {
  let home: string;
  let hub: ServedHub;
  let key: string;

  beforeAll(async () => {
    home = freshHome();
    const everything = makeNpmApp('mcp-everything: mcp-server-everything stdio\n', ['@modelcontextprotocol/server-everything'], 'everything');
    const a = makeFixtureApp('mcp-a: node paged.mjs\n', ['paged.mjs'], {}, 'paged-a');
    const relay = makeFixtureApp('mcp-relay: node relay.mjs\n', ['relay.mjs'], {}, 'relay');
    expect((await cli(home, ['apps:add', everything])).code).toBe(0);
    expect((await cli(home, ['apps:add', a])).code).toBe(0);
    expect((await cli(home, ['apps:add', relay, '--no-attach'])).code).toBe(0);
    hub = await serveHub(home);
    key = await hub.key();
  });
  afterAll(async () => {
    await hub?.stop();
    cleanupTempDirs();
  });

  for (const transport of ['http', 'sse'] as const) {
    it(`serves the resource's tools over ${transport}, as registered, and runs them`, async () => {
      const client = await connect(hub, transport, key);
      expect(client.getServerVersion()?.name).toBe('procdock');
      const { tools } = await client.listTools();
      const servers = JSON.parse((await cli(home, ['servers', '--resource', 'default', '--json'])).stdout) as ServerView[];
      const registered = servers.flatMap((s) => s.tools);
      expect(tools.map((t) => t.name).sort()).toEqual(registered.map((t) => t.name).sort());
      const echo = tools.find((t) => t.name === 'echo') as Tool;
      const original = registered.find((t) => t.name === 'echo')!;
      expect(echo.inputSchema).toEqual(original.input_schema);
      expect(echo.annotations).toEqual(original.annotations);
      expect(await client.callTool({ name: 'echo', arguments: { message: transport } })).toEqual({
        content: [{ type: 'text', text: `Echo: ${transport}` }],
      });
      expect(await client.callTool({ name: 'fail', arguments: {} })).toEqual({
        isError: true,
        content: [{ type: 'text', text: 'it failed on purpose' }],
      });
      // The code once: the SDK client prefixes it to the message, which must not carry it already.
      await expect(client.callTool({ name: 'no-such-tool', arguments: {} })).rejects.toThrow(/^MCP error -32602: no tool "no-such-tool" in resource "default"/);
      await client.close();
    });
  }

  it('aggregates resources, templates and prompts, each read in a fresh server, and announces list changes', async () => {
    const client = await connect(hub, 'http', key);
    const { resources } = await client.listResources();
    const doc = resources.find((r) => r.uri.startsWith('demo://resource/static/document/'));
    expect(doc).toBeDefined();
    const read = await client.readResource({ uri: doc!.uri });
    expect(read.contents[0]).toMatchObject({ uri: doc!.uri });
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toContain('demo://resource/dynamic/text/{resourceId}');
    const dynamic = await client.readResource({ uri: 'demo://resource/dynamic/text/7' });
    expect(JSON.stringify(dynamic.contents)).toContain('7');
    await expect(client.readResource({ uri: 'nowhere://x' })).rejects.toThrow(/Resource not found/);
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name)).toContain('simple-prompt');
    const prompt = await client.getPrompt({ name: 'args-prompt', arguments: { city: 'Lyon' } });
    expect(JSON.stringify(prompt.messages)).toContain('Lyon');

    const changed = new Promise<void>((resolve) => client.setNotificationHandler(ResourceListChangedNotificationSchema, () => resolve()));
    expect((await cli(home, ['detach', 'everything'])).code).toBe(0);
    await changed;
    expect((await client.listResources()).resources).toEqual([]);
    expect((await cli(home, ['attach', 'everything'])).code).toBe(0);
    await client.close();
  });

  it('passes progress notifications through, in order and before the result, while a call runs', async () => {
    const client = new Client({ name: 'toolkit-test', version: '1' });
    const transport = new StreamableHTTPClientTransport(new URL(`${hub.url}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${key}` } } });
    await client.connect(transport);
    // What the hub sends, as it arrives: the SDK client itself may drop a progress notification
    // that lands in the same read as the result (it handles notifications a microtask late).
    const seen: string[] = [];
    const deliver = transport.onmessage;
    transport.onmessage = (message) => {
      const m = message as { method?: string; params?: { progress?: number }; result?: unknown };
      if (m.method === 'notifications/progress') seen.push(`progress ${m.params?.progress}`);
      else if (m.result !== undefined) seen.push('result');
      deliver?.(message);
    };
    const result = await client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 1, steps: 3 } }, undefined, {
      onprogress: () => undefined,
    });
    expect(result.isError).toBeFalsy();
    expect(seen).toEqual(['progress 1', 'progress 2', 'progress 3', 'result']);
    await client.close();
  });

  it('cancels: a client that gives up ends the call and its server', async () => {
    const client = await connect(hub, 'http', key);
    const controller = new AbortController();
    const call = client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 30, steps: 30 } }, undefined, {
      signal: controller.signal,
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    controller.abort();
    await expect(call).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const [record] = JSON.parse((await cli(home, ['calls', '--json', '--limit', '1'])).stdout) as { tool: string; status: string; timings: { total_ms: number } }[];
    // The log says who ended it: not a server failure.
    expect(record).toMatchObject({ tool: 'trigger-long-running-operation', status: 'error', error: 'everything/mcp-everything: trigger-long-running-operation was cancelled by the client' });
    expect(record!.timings.total_ms).toBeLessThan(10_000);
    await client.close();
  });

  it("relays a server's roots (mapped onto its folders), sampling and elicitation requests to the client whose call runs", async () => {
    expect((await cli(home, ['attach', 'relay'])).code).toBe(0);
    const notes = join(tempDir(), 'notes');
    mkdirSync(join(notes, 'drafts'), { recursive: true });
    expect((await cli(home, ['mounts:add', 'relay', `${notes}:/notes`])).code).toBe(0);
    const client = new Client({ name: 'relay-test', version: '1' }, { capabilities: { roots: {}, sampling: {}, elicitation: {} } });
    // The server sees the root inside the folder granted to it, at its container path; never the other.
    client.setRequestHandler(ListRootsRequestSchema, () => ({
      roots: [
        { uri: pathToFileURL(join(notes, 'drafts')).href, name: 'drafts' },
        { uri: 'file:///home/me/secret', name: 'not granted' },
      ],
    }));
    client.setRequestHandler(CreateMessageRequestSchema, () => ({ role: 'assistant', content: { type: 'text', text: 'hi from the client' }, model: 'test' }));
    client.setRequestHandler(ElicitRequestSchema, (request) => ({ action: 'accept', content: { name: `answered ${request.params.message}` } }));
    await client.connect(new StreamableHTTPClientTransport(new URL(`${hub.url}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${key}` } } }));
    const answer = async (name: string) => JSON.parse(((await client.callTool({ name, arguments: {} })).content as { text: string }[])[0]!.text) as Record<string, unknown>;
    expect(await answer('ask-roots')).toEqual({ roots: [{ uri: 'file:///notes/drafts', name: 'drafts' }] });
    expect(await answer('ask-sampling')).toMatchObject({ content: { type: 'text', text: 'hi from the client' } });
    expect(await answer('ask-elicitation')).toEqual({ action: 'accept', content: { name: 'answered Your name?' } });
    await client.close();

    // A client that declared none of them: roots come back empty, the others fail as the tool's error.
    const bare = await connect(hub, 'sse', key);
    expect(JSON.parse(((await bare.callTool({ name: 'ask-roots', arguments: {} })).content as { text: string }[])[0]!.text)).toEqual({ roots: [] });
    const sampling = await bare.callTool({ name: 'ask-sampling', arguments: {} });
    expect(JSON.stringify(sampling)).toMatch(/does not support it/);
    await bare.close();
    expect((await cli(home, ['detach', 'relay'])).code).toBe(0);
  });

  it('exposes clashing names as <namespace>__<name> and tells sessions when the list changes', async () => {
    const client = await connect(hub, 'sse', key);
    const changed = new Promise<void>((resolve) => client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()));
    const b = makeFixtureApp('mcp-b: node paged.mjs\n', ['paged.mjs'], {}, 'paged-b');
    expect((await cli(home, ['apps:add', b])).code).toBe(0);
    await changed;
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['mcp-a__alpha', 'mcp-b__alpha', 'echo']));
    expect(names).not.toContain('alpha');
    const viaB = await client.callTool({ name: 'mcp-b__beta', arguments: { text: 'from b' } });
    expect(viaB.content).toEqual([{ type: 'text', text: 'beta: from b' }]);
    await client.close();
  });

  it('gives each resource only its own tools', async () => {
    expect((await cli(home, ['models:create', 'other', '--provider', 'openai', '--model', 'm'])).code).toBe(0);
    expect((await cli(home, ['detach', 'paged-a'])).code).toBe(0);
    expect((await cli(home, ['attach', 'paged-a', '--resource', 'other'])).code).toBe(0);
    const other = await connect(hub, 'http', await hub.key('other'));
    expect((await other.listTools()).tools.map((t) => t.name).sort()).toEqual(['alpha', 'beta', 'crash', 'env', 'fail']);
    await other.close();
  });

  it('refuses what it must: no key, a wrong key, a foreign Origin, unknown sessions, POST on the SSE endpoint', async () => {
    const init = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'c', version: '1' } } });
    const post = (headers: Record<string, string>, path = '/mcp', body = init) =>
      fetch(`${hub.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, body });
    const noKey = await post({});
    expect(noKey.status).toBe(401);
    expect(noKey.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await post({ authorization: 'Bearer inf-wrong' })).status).toBe(401);
    expect((await fetch(`${hub.url}/mcp/sse`)).status).toBe(401);
    expect((await post({ authorization: `Bearer ${key}`, origin: 'https://evil.example' })).status).toBe(403);
    expect((await post({ authorization: `Bearer ${key}`, 'mcp-session-id': 'no-such-session' })).status).toBe(404);
    expect((await post({ authorization: `Bearer ${key}` }, '/mcp/messages?sessionId=nope')).status).toBe(404);
    expect((await post({ authorization: `Bearer ${key}` }, '/mcp/sse')).status).toBe(405);
    expect((await fetch(`${hub.url}/mcp`, { headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' } })).status).toBe(400);

    const opened = await post({ authorization: `Bearer ${key}` });
    const session = opened.headers.get('mcp-session-id')!;
    expect(session).toMatch(/^[\x21-\x7e]+$/);
    await opened.text();
    const other = await hub.key('other');
    expect((await post({ authorization: `Bearer ${other}`, 'mcp-session-id': session })).status).toBe(404);
    const ended = await fetch(`${hub.url}/mcp`, { method: 'DELETE', headers: { authorization: `Bearer ${key}`, 'mcp-session-id': session } });
    expect(ended.status).toBe(200);
    expect((await post({ authorization: `Bearer ${key}`, 'mcp-session-id': session })).status).toBe(404);
  });

  it('guards its own request path as the rest of the hub: a rebinding Host, bad JSON, an oversized body, an unknown path', async () => {
    const { Agent, request } = await import('node:http');
    const raw = (path: string, headers: Record<string, string>, body = '') =>
      new Promise<{ status: number; headers: Record<string, unknown>; text: string }>((resolve, reject) => {
        const req = request(`${hub.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() }));
        });
        req.on('error', reject);
        req.end(body);
      });
    const auth = { authorization: `Bearer ${key}` };
    const init = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'c', version: '1' } } });
    expect((await raw('/mcp', { ...auth, host: 'evil.example.com' }, init)).status).toBe(421);
    expect((await raw('/mcp/sse', { ...auth, host: 'evil.example.com:80' })).status).toBe(421);
    // A loopback name is only that with nothing but a port after it.
    for (const host of ['127.0.0.1:7420.evil', 'localhost:80@evil.example.com', '[::1].evil:80']) expect((await raw('/mcp/sse', { ...auth, host })).status).toBe(421);
    const bad = await raw('/mcp', auth, '{"jsonrpc": "2.0", "id": 1,');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).error.code).toBe(-32700);
    const notRpc = await raw('/mcp', auth, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: [] }));
    expect(notRpc.status).toBe(400);
    const big = await raw('/mcp', auth, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(5 * 1024 * 1024) } }));
    expect(big.status).toBe(413);
    const unknown = await raw('/mcp/nothing-here', auth, init);
    expect(unknown.status).toBe(404);
    const opened = await raw('/mcp', auth, init);
    expect(opened.status).toBe(200);
    expect(opened.headers['x-frame-options']).toBe('DENY');
    expect(opened.headers['x-content-type-options']).toBe('nosniff');
    // A message the SDK would drop unanswered (a null progress token) is refused at once, not left hanging.
    const session = { ...auth, 'mcp-session-id': String(opened.headers['mcp-session-id']) };
    const dropped = await fetch(`${hub.url}/mcp`, {
      method: 'POST',
      headers: { ...session, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: { _meta: { progressToken: null } } }),
      signal: AbortSignal.timeout(5000),
    });
    expect(dropped.status).toBe(400);
    // As express routed it: any case, and a trailing slash.
    expect((await raw('/MCP/', auth, init)).status).toBe(200);
    // A chunked body that grows past the limit is refused on the way, and the connection stays usable.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = request(`${hub.url}/mcp`, { method: 'POST', agent, headers: { ...auth, 'content-type': 'application/json', accept: 'application/json, text/event-stream' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      for (let i = 0; i < 6; i++) req.write('x'.repeat(1024 * 1024));
      req.end();
    });
    expect(chunked).toBe(413);
    const after = await new Promise<number>((resolve, reject) => {
      const req = request(`${hub.url}/health`, { agent, signal: AbortSignal.timeout(5000) }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(after).toBe(200);
    agent.destroy();
  });

  it('holds many concurrent sessions', async () => {
    const clients = await Promise.all(Array.from({ length: 12 }, (_, i) => connect(hub, i % 2 ? 'sse' : 'http', key)));
    const results = await Promise.all(clients.map((c, i) => c.callTool({ name: 'echo', arguments: { message: `s${i}` } })));
    expect(results.map((r) => (r.content as { text: string }[])[0]?.text)).toEqual(clients.map((_, i) => `Echo: s${i}`));
    await Promise.all(clients.map((c) => c.close()));
  });

  for (const mode of ['sse-only', 'http-only'] as const) {
    it(`works through mcp-remote --transport ${mode}, driven over stdio as Claude Desktop drives it`, async () => {
      const client = new Client({ name: 'claude-desktop-like', version: '1' });
      const path = mode === 'sse-only' ? '/mcp/sse' : '/mcp';
      await client.connect(
        new StdioClientTransport({
          command: join(root, 'node_modules', '.bin', 'mcp-remote'),
          args: [`${hub.url}${path}`, '--transport', mode, '--header', `Authorization:Bearer ${key}`],
          env: { PATH: process.env.PATH ?? '', HOME: home, MCP_REMOTE_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'mcp-remote-')) },
          stderr: 'ignore',
        }),
      );
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toContain('echo');
      expect(await client.callTool({ name: 'echo', arguments: { message: mode } })).toMatchObject({
        content: [{ type: 'text', text: `Echo: ${mode}` }],
      });
      await client.close();
    });
  }

  /** The MCP Inspector's CLI (v2 needs Node 22, which npm supplies next to it). */
  function inspector(args: string[]): Promise<{ code: number; stdout: string }> {
    return new Promise((done) => {
      execFile(
        'npx',
        ['-y', '-p', 'node@22', '-p', '@modelcontextprotocol/inspector@2.12.0', '--', 'mcp-inspector', '--cli', ...args, '--format', 'json'],
        { timeout: 240_000, maxBuffer: 16 * 1024 * 1024 },
        (error, stdout) => done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout }),
      );
    });
  }

  it('answers the MCP Inspector CLI: tools/list over Streamable HTTP, tools/call over SSE', async () => {
    const auth = ['--header', `Authorization: Bearer ${key}`];
    const list = await inspector(['--transport', 'http', '--server-url', `${hub.url}/mcp`, ...auth, '--method', 'tools/list']);
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as { result: { tools: { name: string }[] } }).result.tools.map((t) => t.name)).toContain('echo');
    const call = await inspector(['--transport', 'sse', '--server-url', `${hub.url}/mcp/sse`, ...auth, '--method', 'tools/call', '--tool-name', 'echo', '--tool-arg', 'message=inspected']);
    expect(call.code).toBe(0);
    expect(JSON.parse(call.stdout)).toEqual({ result: { content: [{ type: 'text', text: 'Echo: inspected' }] } });
  }, 300_000);
});
