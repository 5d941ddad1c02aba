import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  CallToolResultSchema,
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ErrorCode,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
  type CallToolResult,
  type ClientCapabilities,
  type Implementation,
  type LoggingMessageNotification,
  type ServerCapabilities,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { JsonSchemaType, JsonSchemaValidator, jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';
import type { SandboxProcess } from '../sandbox/sandbox.js';
import { AppError } from '../shared/errors.js';
import { StdioStreamTransport, type UpstreamFault } from './stdio-stream-transport.js';
import { mcpError } from '../toolkit/jsonrpc.js';

export interface UpstreamOptions {
  /** Names the server in every error, e.g. `everything/mcp`. */
  label: string;
  /** How long `initialize` may take before the server counts as hung. */
  initTimeoutMs: number;
  /** Aborts the handshake. */
  signal?: AbortSignal;
  clientInfo?: Implementation;
}

const stderrTailBytes = 2048;

/**
 * What every upstream session declares: the hub relays sampling, elicitation and roots requests to
 * the client whose call is running, where that client supports them. Syncs declare the same, so a
 * server lists the same tools to a sync as to a call.
 */
export const upstreamCapabilities: ClientCapabilities = { sampling: {}, elicitation: {}, roots: {} };

/** A server-to-client request (sampling, elicitation, roots) and where it goes during a call. */
export interface CallRelay {
  /** Whether the calling client answers elicitation requests (the hub asks it for approvals). */
  canElicit?: boolean;
  /** Answers the upstream server's request, usually by asking the downstream client. */
  request(request: { method: string; params?: Record<string, unknown> }): Promise<Record<string, unknown>>;
  log?(params: LoggingMessageNotification['params']): void;
}
const hubClientInfo: Implementation = { name: 'procdock', version: '0.1.0' };

/**
 * One MCP client session to one server in a sandbox. Every failure comes back as an `AppError` that
 * says what the server did: exited (with its last stderr lines), wrote non-JSON, or stayed silent.
 * The owner calls `close()`; it does not dispose the sandboxed process.
 */
export class UpstreamSession {
  /** Where this session's server-to-client requests go; set for the call it serves. */
  relay: CallRelay | undefined;
  /** Hears the server's `notifications/resources/updated` (subscriptions of a session-lifetime server). */
  onResourceUpdated: ((params: { uri: string }) => void) | undefined;

  private constructor(
    readonly client: Client,
    private readonly transport: StdioStreamTransport,
    private readonly stderr: StderrTail,
    private readonly label: string,
  ) {}

  static async open(proc: SandboxProcess, options: UpstreamOptions): Promise<UpstreamSession> {
    const stderr = new StderrTail(proc);
    const transport = new StdioStreamTransport(proc);
    const client = new Client(options.clientInfo ?? hubClientInfo, { capabilities: upstreamCapabilities, jsonSchemaValidator: new LazyValidator() });
    client.onerror = () => undefined;
    const session = new UpstreamSession(client, transport, stderr, options.label);
    const relay = async (request: { method: string; params?: Record<string, unknown> }) => {
      if (session.relay) return session.relay.request(request);
      if (request.method === 'roots/list') return { roots: [] };
      if (request.method === 'elicitation/create') return { action: 'decline' };
      throw mcpError(ErrorCode.MethodNotFound, `${request.method}: no client is there to answer (the call did not come from an MCP client that supports it)`);
    };
    client.setRequestHandler(CreateMessageRequestSchema, (request) => relay(request) as never);
    client.setRequestHandler(ElicitRequestSchema, (request) => relay(request) as never);
    client.setRequestHandler(ListRootsRequestSchema, (request) => relay(request) as never);
    client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => session.relay?.log?.(notification.params));
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => session.onResourceUpdated?.(notification.params));
    await session.guard('initialize', () =>
      client.connect(transport, { timeout: options.initTimeoutMs, ...(options.signal ? { signal: options.signal } : {}) }),
    );
    return session;
  }

  /** Whether the server is gone (exited, faulted) or the session was closed. */
  get closed(): boolean {
    return this.transport.isClosed;
  }

  get serverInfo(): { serverInfo?: Implementation; capabilities?: ServerCapabilities; instructions?: string } {
    return {
      serverInfo: this.client.getServerVersion(),
      capabilities: this.client.getServerCapabilities(),
      instructions: this.client.getInstructions(),
    };
  }

  /** Every tool, across every page, exactly as the server listed them. */
  async listAllTools(options?: RequestOptions): Promise<Tool[]> {
    if (!this.client.getServerCapabilities()?.tools) return [];
    const tools: Tool[] = [];
    const seenCursors = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await this.guard('tools/list', () =>
        this.client.listTools(cursor === undefined ? {} : { cursor }, options),
      );
      tools.push(...page.tools);
      cursor = page.nextCursor;
      if (cursor !== undefined) {
        if (seenCursors.has(cursor)) throw new AppError('upstream', `${this.label}: tools/list repeated cursor ${cursor}`);
        seenCursors.add(cursor);
      }
    } while (cursor !== undefined);
    return tools;
  }

  /** Every resource, resource template and prompt, across every page, as the server lists them. */
  async listAllPrimitives(options?: RequestOptions): Promise<{
    resources: ({ uri: string } & Record<string, unknown>)[];
    templates: ({ uriTemplate: string } & Record<string, unknown>)[];
    prompts: ({ name: string } & Record<string, unknown>)[];
  }> {
    const caps = this.client.getServerCapabilities();
    const pages = async <T>(step: string, list: (cursor?: string) => Promise<{ items: T[]; nextCursor?: string }>) => {
      const all: T[] = [];
      const seen = new Set<string>();
      let cursor: string | undefined;
      do {
        const page = await this.guard(step, () => list(cursor));
        all.push(...page.items);
        cursor = page.nextCursor;
        if (cursor !== undefined && seen.has(cursor)) throw new AppError('upstream', `${this.label}: ${step} repeated cursor ${cursor}`);
        if (cursor !== undefined) seen.add(cursor);
      } while (cursor !== undefined);
      return all;
    };
    const params = (cursor?: string) => (cursor === undefined ? {} : { cursor });
    const resources = caps?.resources
      ? await pages('resources/list', async (c) => {
          const r = await this.client.listResources(params(c), options);
          return { items: r.resources, nextCursor: r.nextCursor };
        })
      : [];
    const templates = caps?.resources
      ? await pages('resources/templates/list', async (c) => {
          const r = await this.client.listResourceTemplates(params(c), options);
          return { items: r.resourceTemplates, nextCursor: r.nextCursor };
        })
      : [];
    const prompts = caps?.prompts
      ? await pages('prompts/list', async (c) => {
          const r = await this.client.listPrompts(params(c), options);
          return { items: r.prompts, nextCursor: r.nextCursor };
        })
      : [];
    return { resources, templates, prompts } as never;
  }

  /** Runs any request on the session, with this session's error reporting. */
  request<T>(step: string, work: (client: Client) => Promise<T>): Promise<T> {
    return this.guard(step, () => work(this.client));
  }

  /** Calls a tool and passes its result through as the server sent it (no output-schema check here). */
  callTool(name: string, args: Record<string, unknown>, options?: RequestOptions): Promise<CallToolResult> {
    return this.guard('tools/call', () =>
      this.client.request({ method: 'tools/call', params: { name, arguments: args } }, CallToolResultSchema, options),
    );
  }

  async close(): Promise<void> {
    await this.client.close().catch(() => undefined);
  }

  /** Runs one request; a failure becomes an error that says what the server did. */
  private async guard<T>(step: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      await this.transport.settle(2000);
      // The engine may say the server exited before the last of its stderr is through: its last words.
      if (this.transport.fault?.kind === 'exited') await this.stderr.ended(1000);
      throw new AppError('upstream', `${this.label}: ${step} failed: ${this.explain(error)}`);
    }
  }

  private explain(error: unknown): string {
    const fault = this.transport.fault;
    const tail = this.stderr.text();
    const stderr = tail ? `; its stderr ends with: ${tail}` : '';
    if (fault) return describeFault(fault) + stderr;
    const message = error instanceof Error ? error.message : String(error);
    if (/timed out/i.test(message)) return `the server did not answer in time (${message})${stderr}`;
    return message + stderr;
  }
}

export function describeFault(fault: UpstreamFault): string {
  switch (fault.kind) {
    case 'garbage':
      return `the server wrote non-JSON to stdout (${JSON.stringify(fault.line)}); an MCP stdio server must write only JSON-RPC messages there and log to stderr`;
    case 'oversized':
      return `the server sent a message over ${fault.limit / 1024 / 1024} MiB, the most a message may hold; the call was stopped`;
    case 'flood':
      return `the server sent more than ${fault.limit} notifications in one second, the most it may send; the call was stopped`;
    case 'exited':
      return fault.signal
        ? `the server was killed by ${fault.signal}`
        : `the server exited with code ${fault.code ?? 'unknown'}`;
  }
}

/** Keeps the last few KiB of a server's stderr for error messages; the rest is dropped. */
class StderrTail {
  private tail = '';
  private readonly done: Promise<void>;

  constructor(proc: SandboxProcess) {
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (chunk: string) => {
      this.tail = (this.tail + chunk).slice(-stderrTailBytes);
    });
    this.done = new Promise((resolve) => {
      proc.stderr.once('end', resolve);
      proc.stderr.once('close', resolve);
    });
  }

  /** Waits for the stream's end, `ms` at most. */
  async ended(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.done, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  }

  text(): string {
    return this.tail
      .trim()
      .split('\n')
      .slice(-5)
      .join(' | ')
      .slice(-500);
  }
}

/**
 * The client's JSON Schema validator, made when a schema first needs one. The SDK's default builds
 * an Ajv instance with its formats for every client (about 1.8 ms here), and most sessions, one per
 * call, never list tools or check an output schema. One per client, so that what Ajv caches goes
 * with the client.
 */
class LazyValidator implements jsonSchemaValidator {
  private ajv: AjvJsonSchemaValidator | undefined;

  getValidator<T>(schema: JsonSchemaType): JsonSchemaValidator<T> {
    this.ajv ??= new AjvJsonSchemaValidator();
    return this.ajv.getValidator<T>(schema);
  }
}
