import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import { parseMessage } from './jsonrpc.js';
import { SseStream } from './sse-stream.js';

/**
 * MCP's HTTP+SSE transport (2024-11-05), server side, for one session: messages to the client go
 * down the GET stream this transport was opened with, and the client POSTs its own to
 * `<endpoint>?sessionId=…`. The session ends when either side closes the stream.
 */
export class SseTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;
  readonly sessionId = randomUUID();
  private readonly stream: SseStream;
  private closed = false;

  constructor(
    private readonly endpoint: string,
    res: ServerResponse,
    keepAliveMs: number,
  ) {
    this.stream = new SseStream(res, keepAliveMs, {});
    res.once('close', () => void this.close());
  }

  start(): Promise<void> {
    this.stream.event('endpoint', `${this.endpoint}?sessionId=${this.sessionId}`);
    return Promise.resolve();
  }

  /** Takes one message the client POSTed; `body` is its parsed JSON. */
  handlePost(req: IncomingMessage, res: ServerResponse, body: unknown): void {
    if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
      res.writeHead(400).end('Unsupported content-type: expected application/json');
      return;
    }
    const message = parseMessage(body);
    if (!message) {
      res.writeHead(400).end('Invalid message: not a JSON-RPC message');
      return;
    }
    res.writeHead(202).end('Accepted');
    this.onmessage?.(message, { requestInfo: { headers: req.headers } });
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (this.closed) return Promise.reject(new Error('Not connected'));
    this.stream.write(message);
    return Promise.resolve();
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.stream.end();
    this.onclose?.();
    return Promise.resolve();
  }
}
