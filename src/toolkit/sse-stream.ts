import type { ServerResponse } from 'node:http';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { stringifyMessage } from './prepared-json.js';

const sseHeaders = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

/**
 * A response that carries JSON-RPC messages as SSE `message` events, with a comment now and then
 * so that idle connections are not cut. Whoever opened it ends it.
 */
export class SseStream {
  private readonly keepAlive: NodeJS.Timeout;
  private ended = false;

  constructor(
    private readonly res: ServerResponse,
    keepAliveMs: number,
    headers: Record<string, string>,
    /** Send the headers now, when no event follows at once: the client waits for them. */
    flush = false,
  ) {
    res.writeHead(200, { ...sseHeaders, ...headers });
    if (flush) res.flushHeaders();
    this.keepAlive = setInterval(() => res.write(': keep-alive\n\n'), keepAliveMs);
    this.keepAlive.unref();
  }

  /** Sends one message as a `message` event. */
  write(message: JSONRPCMessage): void {
    this.event('message', stringifyMessage(message));
  }

  event(name: string, data: string): void {
    if (!this.ended) this.res.write(`event: ${name}\ndata: ${data}\n\n`);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.keepAlive);
    if (!this.res.writableEnded) this.res.end();
  }
}
