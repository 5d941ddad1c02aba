import { PassThrough } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import type { ExitInfo, SandboxProcess } from '../sandbox/sandbox.js';
import { StdioStreamTransport } from './stdio-stream-transport.js';

/** A server's streams, with the hub's side to script: what it was sent, and what it says. */
function scriptedServer() {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  let exit!: (info: ExitInfo) => void;
  const exited = new Promise<ExitInfo>((resolve) => (exit = resolve));
  const proc: SandboxProcess = { id: 'scripted', stdin, stdout, stderr: new PassThrough(), exited, dispose: () => (exit({ code: 0, signal: null }), exited) };
  const received: { id?: number; method?: string; params?: { _meta?: { progressToken?: number } } }[] = [];
  let waiter: (() => void) | undefined;
  let buffer = '';
  stdin.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    for (let end = buffer.indexOf('\n'); end !== -1; end = buffer.indexOf('\n')) {
      received.push(JSON.parse(buffer.slice(0, end)));
      buffer = buffer.slice(end + 1);
      waiter?.();
    }
  });
  return {
    proc,
    /** The next request the client sends with this method. */
    async request(method: string) {
      for (;;) {
        const found = received.find((m) => m.method === method && m.id !== undefined);
        if (found) return (received.splice(received.indexOf(found), 1), found);
        await new Promise<void>((resolve) => (waiter = resolve));
      }
    },
    /** Writes messages to stdout one write each, all in the same tick. */
    say(...messages: object[]) {
      for (const message of messages) stdout.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);
    },
  };
}

describe('StdioStreamTransport', () => {
  it('hands every progress notification to the request before its response, even from separate writes in one tick', async () => {
    const server = scriptedServer();
    const client = new Client({ name: 'hub', version: '1' });
    const connected = client.connect(new StdioStreamTransport(server.proc));
    const init = await server.request('initialize');
    server.say({ id: init.id, result: { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 's', version: '1' } } });
    await connected;

    for (let round = 0; round < 3; round++) {
      const seen: Progress[] = [];
      const result = client.callTool({ name: 'slow', arguments: {} }, undefined, { onprogress: (p) => seen.push(p) });
      const call = await server.request('tools/call');
      const progressToken = call.params?._meta?.progressToken;
      // As the Docker attach stream does with frames of one socket read: a write per frame, at once.
      server.say(
        { method: 'notifications/progress', params: { progressToken, progress: 50, total: 100 } },
        { method: 'notifications/progress', params: { progressToken, progress: 100, total: 100 } },
        { id: call.id, result: { content: [{ type: 'text', text: 'done' }] } },
      );
      expect(await result).toEqual({ content: [{ type: 'text', text: 'done' }] });
      expect(seen.map((p) => p.progress)).toEqual([50, 100]);
    }
    await client.close();
  });
});
