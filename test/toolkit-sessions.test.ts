import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, cli, freshHome } from './helpers.js';
import { serveHub, type ServedHub } from './hub-process.js';

// Toolkit sessions hold memory until they end: 15,000 Streamable HTTP sessions that were never
// closed took a hub to 1.13 GB. These need no Docker engine: opening a session starts no server.

const initialize = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'sessions-test', version: '1' } },
});

function post(hub: ServedHub, key: string, body = initialize, session?: string): Promise<Response> {
  return fetch(`${hub.url}/mcp`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(session ? { 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' } : {}),
    },
    body,
  });
}

/** Opens a Streamable HTTP session; returns its id. */
async function open(hub: ServedHub, key: string): Promise<string> {
  const response = await post(hub, key);
  expect(response.status).toBe(200);
  await response.text();
  return response.headers.get('mcp-session-id')!;
}

const ping = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' });

describe('toolkit sessions are bounded per key', () => {
  let hub: ServedHub;
  let home: string;
  let key: string;

  beforeAll(async () => {
    home = freshHome();
    hub = await serveHub(home);
    key = await hub.key();
  });
  afterAll(async () => {
    await hub?.stop();
    cleanupTempDirs();
  });

  it('at a key’s 100 open sessions, a new one ends the least recently used, whose client gets 404; the others keep working', async () => {
    // A script that reconnects often and never ends its sessions used to be refused for 15 minutes.
    const sessions: string[] = [];
    for (let i = 0; i < 100; i++) sessions.push(await open(hub, key));
    const answers = async (session: string | undefined) => {
      const response = await post(hub, key, ping, session);
      await response.text();
      return response.status;
    };
    // The first is used again, so the second is the one least recently used.
    expect(await answers(sessions[0])).toBe(200);
    await open(hub, key);
    expect(await answers(sessions[1])).toBe(404);
    for (const session of [sessions[0], sessions[2], sessions[99]]) expect(await answers(session)).toBe(200);
    // HTTP+SSE counts in the same share.
    const sse = await fetch(`${hub.url}/mcp/sse`, { headers: { authorization: `Bearer ${key}` } });
    expect(sse.status).toBe(200);
    expect(await answers(sessions[3])).toBe(404);
    await sse.body?.cancel();

    // Another key has its own share.
    expect((await cli(home, ['models:create', 'other', '--provider', 'openai', '--model', 'm'])).code).toBe(0);
    await open(hub, await hub.key('other'));
    expect(await answers(sessions[4])).toBe(200);
  });

  it('refuses an initialize whose body is not sent as JSON with 415, naming the content type', async () => {
    const response = await fetch(`${hub.url}/mcp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'text/plain', accept: 'application/json, text/event-stream' },
      body: initialize,
    });
    expect(response.status).toBe(415);
    expect(((await response.json()) as { error: { message: string } }).error.message).toBe('Unsupported Media Type: Content-Type must be application/json');
  });

  it('opens a session from an initialize sent as a batch of one, as the SDK’s server does', async () => {
    const response = await post(hub, await hub.key('other'), `[${initialize}]`);
    expect(response.status).toBe(200);
    expect(response.headers.get('mcp-session-id')).toMatch(/^[0-9a-f-]{36}$/);
    const answer = await response.text();
    expect(answer).toContain('"protocolVersion":"2025-11-25"');
  });

  it('ends the old key’s sessions at key:rotate, so the new key opens its own at once', async () => {
    // The key's sessions are still open from the test above. They used to stay, refusing every
    // request, until they idled out 15 minutes later.
    const before = await open(hub, key);
    expect((await cli(home, ['key:rotate'])).code).toBe(0);
    const rotated = await hub.key();
    expect(rotated).not.toBe(key);
    expect((await post(hub, key)).status).toBe(401);
    // Ended, not handed on: the new key does not reach a session the old one opened.
    expect((await post(hub, rotated, ping, before)).status).toBe(404);
    const session = await open(hub, rotated);
    const answered = await post(hub, rotated, ping, session);
    expect(await answered.json()).toMatchObject({ id: 2, result: {} });
    key = rotated;
  });
});

describe('idle toolkit sessions end', () => {
  let hub: ServedHub;
  let key: string;

  beforeAll(async () => {
    hub = await serveHub(freshHome(), [], { PROCDOCK_SESSION_IDLE_SECONDS: '1', PROCDOCK_SESSIONS_PER_KEY: '2' });
    key = await hub.key();
  });
  afterAll(async () => {
    await hub?.stop();
    cleanupTempDirs();
  });

  it('ends a session nobody used for its idle time, keeps one whose client holds its stream open, and refuses a third while both are open', async () => {
    const idle = await open(hub, key);
    const held = await open(hub, key);
    const streams: Response[] = [];
    const hold = async (session: string) => {
      const stream = await fetch(`${hub.url}/mcp`, {
        headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream', 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' },
      });
      expect(stream.status).toBe(200);
      streams.push(stream);
    };
    await hold(held);
    // Idle for its second (swept every quarter of it); any request would count as use.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect((await post(hub, key, ping, idle)).status).toBe(404);
    expect((await post(hub, key, ping, held)).status).toBe(200);

    // Both sessions with a stream open: nothing can make room, so the third waits.
    await hold(await open(hub, key));
    const refused = await post(hub, key);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/^Too many sessions: this key has 2 open, each with a request or stream open; end one/);
    for (const stream of streams) await stream.body?.cancel();
  });
});
