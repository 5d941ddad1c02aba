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

  it('refuses the 101st open session of a key with 429 and says what to do, while the others keep working', async () => {
    const sessions: string[] = [];
    for (let i = 0; i < 100; i++) sessions.push(await open(hub, key));
    const refused = await post(hub, key);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('900');
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/Too many sessions: this key has 100 open; end one \(DELETE \/mcp/);
    const sse = await fetch(`${hub.url}/mcp/sse`, { headers: { authorization: `Bearer ${key}` } });
    expect(sse.status).toBe(429);
    await sse.text();

    const answered = await post(hub, key, ping, sessions[0]);
    expect(answered.status).toBe(200);
    expect(await answered.json()).toMatchObject({ id: 2, result: {} });

    // Another key has its own share; an ended session makes room for a new one.
    expect((await cli(home, ['models:create', 'other', '--provider', 'openai', '--model', 'm'])).code).toBe(0);
    await open(hub, await hub.key('other'));
    const ended = await fetch(`${hub.url}/mcp`, { method: 'DELETE', headers: { authorization: `Bearer ${key}`, 'mcp-session-id': sessions[0]! } });
    expect(ended.status).toBe(200);
    await open(hub, key);
    expect((await post(hub, key)).status).toBe(429);
  });

  it('opens a session from an initialize sent as a batch of one, as the SDK’s server does', async () => {
    const response = await post(hub, await hub.key('other'), `[${initialize}]`);
    expect(response.status).toBe(200);
    expect(response.headers.get('mcp-session-id')).toMatch(/^[0-9a-f-]{36}$/);
    const answer = await response.text();
    expect(answer).toContain('"protocolVersion":"2025-11-25"');
  });

  it('ends the old key’s sessions at key:rotate, so the new key opens its own at once', async () => {
    // The key's 100 sessions are still open from the test above. They used to stay, refusing every
    // request, and counted against the new key until they idled out 15 minutes later.
    expect((await post(hub, key)).status).toBe(429);
    expect((await cli(home, ['key:rotate'])).code).toBe(0);
    const rotated = await hub.key();
    expect(rotated).not.toBe(key);
    expect((await post(hub, key)).status).toBe(401);
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

  it('ends a session nobody used for its idle time, and keeps one whose client holds its stream open', async () => {
    const idle = await open(hub, key);
    const held = await open(hub, key);
    const stream = await fetch(`${hub.url}/mcp`, {
      headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream', 'mcp-session-id': held, 'mcp-protocol-version': '2025-11-25' },
    });
    expect(stream.status).toBe(200);
    expect((await post(hub, key)).status).toBe(429);

    // Once the idle one has ended there is room again; the held one never goes idle.
    let reopened: Response;
    do {
      await new Promise((resolve) => setTimeout(resolve, 500));
      reopened = await post(hub, key);
      await reopened.text();
    } while (reopened.status === 429);
    expect(reopened.status).toBe(200);
    expect((await post(hub, key, ping, idle)).status).toBe(404);
    expect((await post(hub, key, ping, held)).status).toBe(200);
    await stream.body?.cancel();
  });
});
