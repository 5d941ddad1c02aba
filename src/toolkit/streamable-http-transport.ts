import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import { SUPPORTED_PROTOCOL_VERSIONS, type JSONRPCMessage, type JSONRPCRequest, type MessageExtraInfo, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import { isInitializeMessage, kindOf, parseMessage } from './jsonrpc.js';
import { stringifyMessage } from './prepared-json.js';
import { SseStream } from './sse-stream.js';

export interface StreamableHttpOptions {
  sessionId: string;
  /** How often an open SSE stream gets a comment, so that idle connections are not cut. */
  keepAliveMs: number;
  /**
   * How long a POST's answer may take and still come back as one JSON body; a slower one (or one
   * with progress, logs or requests of the server first) streams as SSE from then on.
   */
  jsonWithinMs?: number;
}

const maxBatch = 100;

/**
 * MCP's Streamable HTTP transport (2025-03-26 to 2025-11-25), server side, for one session, on
 * Node's own request and response objects. A POST whose answer is ready quickly gets it as one
 * `application/json` body; one that streams first (progress, log messages, the server's own
 * requests) or takes longer becomes `text/event-stream`. Clients must accept both. The owner
 * closes it, which ends every open stream.
 */
export class StreamableHttpTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;
  readonly sessionId: string;
  private initialized = false;
  private closed = false;
  /** The open POST each request id that is still unanswered came in. */
  private readonly exchanges = new Map<RequestId, Exchange>();
  /** The GET stream for messages that belong to no request (list changes). */
  private standalone: SseStream | undefined;

  constructor(private readonly options: StreamableHttpOptions) {
    this.sessionId = options.sessionId;
  }

  /** Whether the client's `initialize` came through: a session is made for nothing else. */
  get isInitialized(): boolean {
    return this.initialized;
  }

  /** Open streams and unanswered requests: a session with any is not idle. */
  get busy(): boolean {
    return this.exchanges.size > 0 || this.standalone !== undefined;
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  /** Answers one HTTP request of this session; `body` is the parsed JSON of a POST. */
  handle(req: IncomingMessage, res: ServerResponse, body: unknown): void {
    if (this.closed) return reply(res, 404, -32001, 'Session not found');
    const version = req.headers['mcp-protocol-version'];
    if (typeof version === 'string' && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
      return reply(res, 400, -32000, `Bad Request: Unsupported protocol version: ${version} (supported versions: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`);
    }
    if (req.method === 'POST') return this.post(req, res, body);
    if (req.method === 'GET') return this.get(req, res);
    if (req.method === 'DELETE') {
      res.writeHead(200).end();
      void this.close();
      return;
    }
    res.setHeader('Allow', 'GET, POST, DELETE');
    reply(res, 405, -32000, 'Method not allowed.');
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    // The SDK made this message: its shape tells what it is.
    const answered = 'result' in message || 'error' in message ? message.id : undefined;
    const related = answered ?? options?.relatedRequestId;
    const exchange = related === undefined ? undefined : this.exchanges.get(related);
    if (answered !== undefined) this.exchanges.delete(answered);
    if (exchange) return exchange.send(message, answered);
    // An answer whose client went away has nowhere to go; other messages go to the GET stream, if open.
    if (answered === undefined) this.standalone?.write(message);
    return Promise.resolve();
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    for (const exchange of new Set(this.exchanges.values())) exchange.end();
    this.exchanges.clear();
    this.standalone?.end();
    this.onclose?.();
    return Promise.resolve();
  }

  private post(req: IncomingMessage, res: ServerResponse, body: unknown): void {
    const accept = req.headers.accept ?? '';
    if (!accept.includes('application/json') || !accept.includes('text/event-stream')) {
      return reply(res, 406, -32000, 'Not Acceptable: Client must accept both application/json and text/event-stream');
    }
    if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
      return reply(res, 415, -32000, 'Unsupported Media Type: Content-Type must be application/json');
    }
    const messages = parseMessages(body);
    if (typeof messages === 'string') return reply(res, 400, -32700, messages);
    const initializing = messages.some(isInitializeMessage);
    if (initializing && (this.initialized || messages.length > 1)) {
      return reply(res, 400, -32600, 'Invalid Request: Server already initialized, or more than one initialize request');
    }
    if (!initializing && !this.initialized) return reply(res, 400, -32000, 'Bad Request: Server not initialized');
    this.initialized = true;
    const extra: MessageExtraInfo = { requestInfo: { headers: req.headers } };
    const requests = messages.filter((m): m is JSONRPCRequest => kindOf(m) === 'request');
    if (requests.length > 0) {
      const exchange = new Exchange(res, requests.length, this.sessionId, this.options);
      for (const request of requests) this.exchanges.set(request.id, exchange);
      res.once('close', () => {
        for (const request of requests) if (this.exchanges.get(request.id) === exchange) this.exchanges.delete(request.id);
        exchange.end();
      });
    } else {
      res.writeHead(202, { 'mcp-session-id': this.sessionId }).end();
    }
    for (const message of messages) this.onmessage?.(message, extra);
  }

  private get(req: IncomingMessage, res: ServerResponse): void {
    if (!(req.headers.accept ?? '').includes('text/event-stream')) {
      return reply(res, 406, -32000, 'Not Acceptable: Client must accept text/event-stream');
    }
    if (!this.initialized) return reply(res, 400, -32000, 'Bad Request: Server not initialized');
    if (this.standalone) return reply(res, 409, -32000, 'Conflict: Only one SSE stream is allowed per session');
    const stream = new SseStream(res, this.options.keepAliveMs, { 'mcp-session-id': this.sessionId }, true);
    this.standalone = stream;
    res.once('close', () => {
      if (this.standalone === stream) this.standalone = undefined;
      stream.end();
    });
  }
}

/**
 * One POST that carries requests: its answers go back as one JSON body when they are all ready
 * quickly, else on an SSE stream opened for it.
 */
class Exchange {
  private readonly answers: JSONRPCMessage[] = [];
  private unanswered: number;
  private stream: SseStream | undefined;
  private finished = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly res: ServerResponse,
    requests: number,
    private readonly sessionId: string,
    private readonly options: StreamableHttpOptions,
  ) {
    this.unanswered = requests;
    this.timer = setTimeout(() => this.streaming(true), options.jsonWithinMs ?? 1000);
  }

  send(message: JSONRPCMessage, answered: RequestId | undefined): Promise<void> {
    if (this.finished) return Promise.resolve();
    if (answered !== undefined) this.unanswered--;
    if (answered === undefined || this.stream) {
      this.streaming().write(message);
      if (this.unanswered === 0) this.end();
      return Promise.resolve();
    }
    this.answers.push(message);
    if (this.unanswered === 0) {
      const body = this.answers.length === 1 ? stringifyMessage(this.answers[0]!) : `[${this.answers.map(stringifyMessage).join(',')}]`;
      this.finish();
      this.res
        .writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'mcp-session-id': this.sessionId })
        .end(body);
    }
    return Promise.resolve();
  }

  /** Ends the exchange before its answers came (the session ended, or the client went away). */
  end(): void {
    if (this.finished) return;
    this.finish();
    if (this.stream) this.stream.end();
    else if (!this.res.headersSent && !this.res.destroyed) reply(this.res, 404, -32001, 'Session not found');
  }

  /** The SSE stream of this POST, opened on first need with the answers held so far. */
  private streaming(flush = false): SseStream {
    if (!this.stream) {
      clearTimeout(this.timer);
      this.stream = new SseStream(this.res, this.options.keepAliveMs, { 'mcp-session-id': this.sessionId }, flush);
      for (const answer of this.answers.splice(0)) this.stream.write(answer);
    }
    return this.stream;
  }

  private finish(): void {
    this.finished = true;
    clearTimeout(this.timer);
  }
}

/** The JSON-RPC messages of a POST body, or why it holds none. */
function parseMessages(body: unknown): JSONRPCMessage[] | string {
  const raw = Array.isArray(body) ? body : [body];
  if (raw.length === 0 || raw.length > maxBatch) return `Invalid Request: a batch holds 1 to ${maxBatch} messages`;
  const messages: JSONRPCMessage[] = [];
  for (const item of raw) {
    const message = parseMessage(item);
    if (!message) return 'Parse error: Invalid JSON-RPC message';
    messages.push(message);
  }
  return messages;
}

function reply(res: ServerResponse, status: number, code: number, message: string): void {
  const body = JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
}
