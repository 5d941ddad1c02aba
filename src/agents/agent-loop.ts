import { randomBytes } from 'node:crypto';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionMessageParam,
  ChatCompletionMessageFunctionToolCall,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import type { ModelResourceRow } from '../catalog/models-repository.js';
import type { Hub } from '../hub/hub.js';
import { AppError } from '../shared/errors.js';
import { toolkitTools } from '../toolkit/toolkit-catalog.js';
import { resolveToolName } from '../toolkit/tool-names.js';
import type { AgentRequest } from './agent-request.js';
import { FunctionNames } from './function-names.js';
import { herokuTools, prepareHerokuTool, runHerokuTool, type RuntimeParams } from './heroku-tools.js';
import type { ChatRequest, ModelProvider } from './model-provider.js';

/** The most model turns one run may take. */
export const maxTurns = 12;

/** A frame of the run: a whole `chat.completion` or `tool.completion` object. */
export type AgentFrame = Record<string, unknown>;

interface PlannedTool {
  /** The name frames show: Heroku's `<namespace>/<tool>` for MCP tools, the built-in's name otherwise. */
  name: string;
  kind: 'mcp' | 'heroku_tool';
  /** For MCP tools: the name the resource's toolkit knows it by. */
  toolkitName?: string;
  params: RuntimeParams;
  maxCalls: number;
  calls: number;
  definition: ChatCompletionTool;
}

export interface AgentRunOptions {
  /**
   * Functions the caller runs itself (`tools` of `/v1/chat/completions`): a turn that calls one
   * ends the run, and the caller gets that turn with its tool calls.
   */
  clientTools?: ChatCompletionTool[];
  /**
   * The client session its session-lifetime servers belong to when it outlives the run (a chat
   * conversation, which ends them itself); without it the run is its own session, ended with it.
   */
  session?: string;
}

/**
 * Heroku's server-side agent loop: the model decides, each tool runs in a throwaway sandbox, every
 * turn and every result is a frame. Request problems throw `AppError` before any frame (from the
 * constructor, or `ready()` for what needs the engine); problems after the first frame reach the
 * caller as a thrown error too, for it to send as `event:error`.
 */
export class AgentRun {
  readonly id = `chatcmpl-${randomBytes(12).toString('hex')}`;
  private readonly names = new FunctionNames();
  private readonly tools = new Map<string, PlannedTool>();
  private readonly clientTools = new Set<string>();
  private readonly clientDefinitions: ChatCompletionTool[] = [];
  private checked: Promise<void> | undefined;
  private readonly session: string | undefined;

  constructor(
    private readonly hub: Hub,
    private readonly resource: ModelResourceRow,
    private readonly provider: ModelProvider,
    private readonly request: AgentRequest,
    options: AgentRunOptions = {},
  ) {
    if (request.model !== resource.model_id) {
      throw new AppError('invalid_input', `unknown model "${request.model}": the key's resource "${resource.name}" serves "${resource.model_id}"`);
    }
    this.session = options.session;
    for (const tool of request.tools ?? []) this.plan(tool);
    for (const tool of options.clientTools ?? []) {
      if (tool.type !== 'function' || this.tools.has(tool.function.name)) continue;
      this.clientTools.add(tool.function.name);
      this.clientDefinitions.push({ ...tool, function: { ...tool.function, name: this.names.add(tool.function.name) } });
    }
  }

  /**
   * Checks what needs the engine before any frame: each built-in tool's target app, image or
   * converter (built on first use). Throws `AppError` saying why a tool is not offered.
   */
  ready(): Promise<void> {
    this.checked ??= (async () => {
      for (const tool of this.tools.values()) {
        if (tool.kind === 'heroku_tool') await prepareHerokuTool(this.hub, this.resource, tool.name, tool.params);
      }
    })();
    return this.checked;
  }

  /**
   * Runs the loop. With `streamTokens` (the desktop chat), each assistant turn also arrives as
   * `chat.completion.chunk` frames while the model writes it, before its whole `chat.completion`.
   */
  async run(emit: (frame: AgentFrame) => void, signal: AbortSignal, streamTokens = false): Promise<void> {
    try {
      await this.turns(emit, signal, streamTokens);
    } finally {
      // A run of its own is the client session of its session-lifetime servers: they end with it.
      if (this.session === undefined) void this.hub.runner.sessions.endSession(this.id);
    }
  }

  private async turns(emit: (frame: AgentFrame) => void, signal: AbortSignal, streamTokens: boolean): Promise<void> {
    await this.ready();
    const messages = this.request.messages.map((m) => this.toProvider(m as ChatCompletionMessageParam));
    for (let turn = 0; turn < maxTurns; turn++) {
      signal.throwIfAborted();
      const chatRequest = this.chatRequest(messages);
      const completion = streamTokens
        ? await accumulate(this.provider.stream(chatRequest, signal), (content) =>
            emit({ id: this.id, object: 'chat.completion.chunk', created: now(), model: this.resource.model_id, choices: [{ index: 0, delta: { content }, finish_reason: null }] }),
          )
        : await this.provider.complete(chatRequest, signal);
      const choice = completion.choices[0];
      if (!choice) throw new AppError('upstream', 'the model answered with no choice');
      const calls = (choice.message.tool_calls ?? []).filter((c) => c.type === 'function');
      emit(this.completionFrame(choice, calls, completion.usage));
      if (calls.length === 0 || calls.some((c) => this.clientTools.has(this.names.original(c.function.name)))) return;
      messages.push({ role: 'assistant', content: choice.message.content ?? null, tool_calls: calls });
      for (const call of calls) {
        const name = this.names.original(call.function.name);
        const result = await this.callTool(name, call.function.arguments, signal);
        const content = `Tool '${name}' returned result: ${JSON.stringify(result)}`;
        emit({
          id: this.id,
          object: 'tool.completion',
          created: now(),
          system_fingerprint: 'procdock',
          choices: [{ index: 0, message: { role: 'tool', content, refusal: null, tool_call_id: call.id, name }, finish_reason: '' }],
          usage: {},
        });
        messages.push({ role: 'tool', tool_call_id: call.id, content });
      }
    }
    throw new AppError('upstream', `the agent loop stopped after ${maxTurns} model turns without a final answer`);
  }

  private chatRequest(messages: ChatCompletionMessageParam[]): ChatRequest {
    const definitions = [...[...this.tools.values()].map((t) => t.definition), ...this.clientDefinitions];
    const { max_tokens_per_inference_request: maxTokens, stop, temperature, top_p } = this.request;
    return {
      model: this.resource.model_id,
      messages,
      ...(definitions.length ? { tools: definitions } : {}),
      ...(maxTokens ? { max_tokens: maxTokens } : {}),
      ...(stop ? { stop } : {}),
      ...(temperature !== undefined ? { temperature } : {}),
      ...(top_p !== undefined ? { top_p } : {}),
    };
  }

  /** A whole assistant turn as Heroku shows it: tool calls under the names the request used. */
  private completionFrame(choice: ChatCompletion.Choice, calls: ChatCompletionMessageFunctionToolCall[], usage: ChatCompletion['usage']): AgentFrame {
    const toolCalls = calls.map((c) => ({ ...c, function: { ...c.function, name: this.names.original(c.function.name) } }));
    return {
      id: this.id,
      object: 'chat.completion',
      created: now(),
      model: this.resource.model_id,
      system_fingerprint: 'procdock',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: choice.message.content ?? null, refusal: null, ...(calls.length ? { tool_calls: toolCalls } : {}) },
          finish_reason: calls.length ? 'tool_calls' : choice.finish_reason,
        },
      ],
      usage: usage ?? {},
    };
  }

  private plan(tool: NonNullable<AgentRequest['tools']>[number]): void {
    const params: RuntimeParams = tool.runtime_params ?? {};
    const maxCalls = params.max_calls ?? 3;
    if (tool.type === 'heroku_tool') {
      const builtin = herokuTools[tool.name];
      if (!builtin) throw new AppError('invalid_input', `unknown heroku_tool "${tool.name}": Procdock offers ${Object.keys(herokuTools).join(', ')}`);
      const parameters = (tool.name === 'dyno_run_command' ? params.tool_params?.parameters : undefined) ?? builtin.inputSchema;
      const description = tool.description ?? (tool.name === 'dyno_run_command' ? (params.tool_params?.description as string | undefined) : undefined) ?? builtin.description;
      this.add({ name: tool.name, kind: 'heroku_tool', params, maxCalls, calls: 0 }, description ?? '', parameters as Record<string, unknown>);
      return;
    }
    const toolkit = toolkitTools(this.hub.catalog, this.resource.id);
    const found = resolveToolName(toolkit.map((t) => ({ namespace: t.namespace, name: t.original, tool: t })), tool.name);
    if (!found) throw new AppError('invalid_input', `unknown tool "${tool.name}": no started server attached to resource "${this.resource.name}" offers it`);
    if ('ambiguous' in found) throw new AppError('invalid_input', `tool "${tool.name}" is ambiguous: name one of ${found.ambiguous.join(', ')}`);
    const entry = found.tool.tool;
    this.add(
      { name: `${entry.namespace}/${entry.original}`, kind: 'mcp', toolkitName: entry.name, params, maxCalls, calls: 0 },
      tool.description ?? (entry.definition.description as string | undefined) ?? '',
      (entry.definition.inputSchema as Record<string, unknown> | undefined) ?? { type: 'object' },
    );
  }

  private add(planned: Omit<PlannedTool, 'definition'>, description: string, parameters: Record<string, unknown>): void {
    const fn = this.names.add(planned.name);
    this.tools.set(planned.name, { ...planned, definition: { type: 'function', function: { name: fn, description, parameters } } });
  }

  private async callTool(name: string, rawArguments: string, signal: AbortSignal): Promise<CallToolResult> {
    const tool = this.tools.get(name);
    if (!tool) return failure(`the model called "${name}", which is not one of this run's tools`);
    if (tool.calls >= tool.maxCalls) return failure(`${name}: max_calls (${tool.maxCalls}) used up for this run`);
    tool.calls++;
    let args: Record<string, unknown>;
    try {
      const parsed = JSON.parse(rawArguments || '{}') as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      args = parsed as Record<string, unknown>;
    } catch (error) {
      return failure(`${name}: the arguments are not a JSON object (${(error as Error).message})`);
    }
    args = { ...args, ...(tool.kind === 'mcp' ? (tool.params.tool_params ?? {}) : {}) };
    if (tool.kind === 'heroku_tool') return runHerokuTool(this.hub, this.resource, tool.name, args, tool.params, signal);
    try {
      const { result } = await this.hub.runner.call({
        tool: tool.toolkitName ?? name,
        args,
        resourceName: this.resource.name,
        signal,
        session: this.session ?? this.id,
        caller: 'the agent loop',
        ...(tool.params.ttl_seconds ? { ttlMs: tool.params.ttl_seconds * 1000 } : {}),
      });
      return result as CallToolResult;
    } catch (error) {
      if (error instanceof AppError) return failure(error.message);
      throw error;
    }
  }

  /**
   * Request messages keep Heroku's names (a run's frames can be sent back as history); the provider
   * sees its own names, and only the fields its grammar has.
   */
  private toProvider(message: ChatCompletionMessageParam): ChatCompletionMessageParam {
    if (message.role === 'tool') return { role: 'tool', tool_call_id: message.tool_call_id, content: message.content };
    if (message.role !== 'assistant' || !message.tool_calls) return message;
    return {
      role: 'assistant',
      content: message.content ?? null,
      tool_calls: message.tool_calls.map((c) => (c.type === 'function' ? { ...c, function: { ...c.function, name: this.names.add(c.function.name) } } : c)),
    };
  }
}

/** Builds the whole completion from a stream of chunks, handing each piece of text on as it comes. */
async function accumulate(chunks: AsyncIterable<ChatCompletionChunk>, onText: (text: string) => void): Promise<ChatCompletion> {
  let content = '';
  let finish: ChatCompletion.Choice['finish_reason'] = 'stop';
  let id = '';
  let model = '';
  const calls: ChatCompletionMessageFunctionToolCall[] = [];
  for await (const chunk of chunks) {
    id ||= chunk.id;
    model ||= chunk.model;
    const choice = chunk.choices[0];
    if (!choice) continue;
    if (choice.delta.content) {
      content += choice.delta.content;
      onText(choice.delta.content);
    }
    for (const delta of choice.delta.tool_calls ?? []) {
      const call = (calls[delta.index] ??= { id: '', type: 'function', function: { name: '', arguments: '' } });
      if (delta.id) call.id = delta.id;
      if (delta.function?.name) call.function.name += delta.function.name;
      if (delta.function?.arguments) call.function.arguments += delta.function.arguments;
    }
    if (choice.finish_reason) finish = choice.finish_reason;
  }
  return {
    id,
    object: 'chat.completion',
    created: now(),
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: content || null, refusal: null, ...(calls.length ? { tool_calls: calls.filter(Boolean) } : {}) },
        finish_reason: finish,
        logprobs: null,
      },
    ],
  };
}

function failure(text: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text }] };
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}
