import type Anthropic from '@anthropic-ai/sdk';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionMessageParam,
  ChatCompletionMessageToolCall,
} from 'openai/resources/chat/completions';
import { providerError, type ChatRequest, type ModelProvider } from './model-provider.js';

type Message = Anthropic.MessageParam;
type Block = Anthropic.ContentBlockParam;

/** Anthropic's Messages API behind OpenAI's chat-completions shapes, both ways, streaming too. */
export class AnthropicProvider implements ModelProvider {
  private client?: Promise<Anthropic>;

  constructor(private readonly options: { baseURL?: string; apiKey: string }) {}

  /** The SDK loads on the first request: a quarter of a second and 23 MiB that the hub needs only for agents. */
  private sdk(): Promise<Anthropic> {
    const { apiKey, baseURL } = this.options;
    this.client ??= import('@anthropic-ai/sdk').then(
      ({ default: Anthropic }) => new Anthropic({ apiKey: apiKey || 'none', maxRetries: 0, timeout: 300_000, ...(baseURL ? { baseURL } : {}) }),
    );
    return this.client;
  }

  async complete(request: ChatRequest, signal?: AbortSignal): Promise<ChatCompletion> {
    const client = await this.sdk();
    let message: Anthropic.Message;
    try {
      message = await client.messages.create({ ...toAnthropic(request), stream: false }, signal ? { signal } : {});
    } catch (error) {
      throw providerError('Anthropic', error);
    }
    const text = message.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('');
    const toolCalls: ChatCompletionMessageToolCall[] = message.content.flatMap((b) =>
      b.type === 'tool_use' ? [{ id: b.id, type: 'function' as const, function: { name: b.name, arguments: JSON.stringify(b.input) } }] : [],
    );
    return {
      id: message.id,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: message.model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: text || null, refusal: null, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) },
          finish_reason: finishReason(message.stop_reason),
          logprobs: null,
        },
      ],
      usage: {
        prompt_tokens: message.usage.input_tokens,
        completion_tokens: message.usage.output_tokens,
        total_tokens: message.usage.input_tokens + message.usage.output_tokens,
      },
    };
  }

  async *stream(request: ChatRequest, signal?: AbortSignal): AsyncIterable<ChatCompletionChunk> {
    const client = await this.sdk();
    let events: AsyncIterable<Anthropic.RawMessageStreamEvent>;
    try {
      events = await client.messages.create({ ...toAnthropic(request), stream: true }, signal ? { signal } : {});
    } catch (error) {
      throw providerError('Anthropic', error);
    }
    let id = '';
    let model = request.model;
    const created = Math.floor(Date.now() / 1000);
    const toolIndex = new Map<number, number>();
    const chunk = (delta: ChatCompletionChunk.Choice.Delta, finish: ChatCompletionChunk.Choice['finish_reason'] = null): ChatCompletionChunk => ({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    });
    for await (const event of events) {
      switch (event.type) {
        case 'message_start':
          id = event.message.id;
          model = event.message.model;
          yield chunk({ role: 'assistant', content: '' });
          break;
        case 'content_block_start':
          if (event.content_block.type === 'tool_use') {
            const index = toolIndex.size;
            toolIndex.set(event.index, index);
            yield chunk({ tool_calls: [{ index, id: event.content_block.id, type: 'function', function: { name: event.content_block.name, arguments: '' } }] });
          }
          break;
        case 'content_block_delta':
          if (event.delta.type === 'text_delta') yield chunk({ content: event.delta.text });
          else if (event.delta.type === 'input_json_delta') {
            yield chunk({ tool_calls: [{ index: toolIndex.get(event.index) ?? 0, function: { arguments: event.delta.partial_json } }] });
          }
          break;
        case 'message_delta':
          yield chunk({}, finishReason(event.delta.stop_reason));
          break;
        default:
          break;
      }
    }
  }
}

function finishReason(reason: string | null | undefined): 'stop' | 'length' | 'tool_calls' {
  if (reason === 'tool_use') return 'tool_calls';
  if (reason === 'max_tokens') return 'length';
  return 'stop';
}

function textOf(content: ChatCompletionMessageParam['content']): string {
  if (typeof content === 'string') return content;
  if (!content) return '';
  return content.map((part) => ('text' in part ? part.text : '')).join('');
}

/** OpenAI's request shape as a Messages API request. */
function toAnthropic(request: ChatRequest): Anthropic.MessageCreateParamsNonStreaming {
  const system = request.messages.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => textOf(m.content));
  const messages: Message[] = [];
  const push = (role: 'user' | 'assistant', blocks: Block[]) => {
    const last = messages.at(-1);
    if (last && last.role === role && Array.isArray(last.content)) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };
  for (const m of request.messages) {
    if (m.role === 'user') push('user', [{ type: 'text', text: textOf(m.content) }]);
    else if (m.role === 'assistant') {
      const blocks: Block[] = [];
      const text = textOf(m.content ?? null);
      if (text) blocks.push({ type: 'text', text });
      for (const call of m.tool_calls ?? []) {
        if (call.type !== 'function') continue;
        blocks.push({ type: 'tool_use', id: call.id, name: call.function.name, input: parseArguments(call.function.arguments) });
      }
      push('assistant', blocks);
    } else if (m.role === 'tool') {
      push('user', [{ type: 'tool_result', tool_use_id: m.tool_call_id, content: textOf(m.content) }]);
    }
  }
  const tools = (request.tools ?? []).flatMap((t) =>
    t.type === 'function'
      ? [{ name: t.function.name, description: t.function.description ?? '', input_schema: (t.function.parameters ?? { type: 'object' }) as Anthropic.Tool.InputSchema }]
      : [],
  );
  const stop = typeof request.stop === 'string' ? [request.stop] : (request.stop ?? undefined);
  const choice = request.tool_choice;
  const toolChoice: Anthropic.ToolChoice | undefined =
    choice === 'auto' ? { type: 'auto' } : choice === 'required' ? { type: 'any' } : choice === 'none' ? { type: 'none' } : choice && typeof choice === 'object' && 'function' in choice ? { type: 'tool', name: choice.function.name } : undefined;
  return {
    model: request.model,
    max_tokens: request.max_completion_tokens ?? request.max_tokens ?? 4096,
    messages,
    ...(system.length ? { system: system.join('\n\n') } : {}),
    ...(tools.length ? { tools } : {}),
    ...(toolChoice ? { tool_choice: toolChoice } : {}),
    ...(stop ? { stop_sequences: stop } : {}),
    ...(request.temperature != null ? { temperature: request.temperature } : {}),
    ...(request.top_p != null ? { top_p: request.top_p } : {}),
  };
}

function parseArguments(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text || '{}') as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
