import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionMessageFunctionToolCall,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import { z } from 'zod';
import { AppError } from '../shared/errors.js';
import type { AgentFrame, AgentRun } from './agent-loop.js';
import { agentRequestSchema, type AgentRequest } from './agent-request.js';

/** The chat-completions fields the loop uses; `heroku.tools` arrives through the OpenAI SDK's `extra_body`. */
const chatBodySchema = z
  .object({
    model: z.unknown(),
    messages: z.unknown(),
    max_tokens: z.number().int().positive().optional(),
    max_completion_tokens: z.number().int().positive().optional(),
    stop: z
      .union([z.string(), z.array(z.string())])
      .nullable()
      .optional(),
    temperature: z.unknown().optional(),
    top_p: z.unknown().optional(),
    stream: z.boolean().optional(),
    tools: z
      .array(
        z.object({ type: z.string(), function: z.object({ name: z.string() }).passthrough().optional() }).passthrough(),
      )
      .optional(),
    heroku: z.object({ tools: z.unknown() }).passthrough(),
  })
  .passthrough();

/** Whether a `/v1/chat/completions` body asks the hub to run heroku tools (Heroku's `heroku` field). */
export function wantsHerokuTools(body: unknown): boolean {
  return typeof body === 'object' && body !== null && 'heroku' in body;
}

/**
 * The agent request a chat body stands for: its messages and settings, `heroku.tools` run here,
 * `tools` left to the caller. Throws `AppError` naming the field at fault.
 */
export function chatAgentRequest(body: unknown): {
  request: AgentRequest;
  clientTools: ChatCompletionTool[];
  stream: boolean;
} {
  const chat = chatBodySchema.safeParse(body);
  if (!chat.success) throw invalid(chat.error.issues[0]);
  const { model, messages, max_tokens, max_completion_tokens, stop, temperature, top_p, heroku } = chat.data;
  const maxTokens = max_completion_tokens ?? max_tokens;
  const parsed = agentRequestSchema.safeParse({
    model,
    messages,
    tools: heroku.tools,
    ...(maxTokens ? { max_tokens_per_inference_request: maxTokens } : {}),
    ...(stop != null ? { stop: typeof stop === 'string' ? [stop] : stop } : {}),
    ...(temperature !== undefined ? { temperature } : {}),
    ...(top_p !== undefined ? { top_p } : {}),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(issue && { ...issue, path: issue.path[0] === 'tools' ? ['heroku', ...issue.path] : issue.path });
  }
  const clientTools = (chat.data.tools ?? []).filter((t) => t.type === 'function') as ChatCompletionTool[];
  return { request: parsed.data, clientTools, stream: chat.data.stream === true };
}

function invalid(issue: { path: PropertyKey[]; message: string } | undefined): AppError {
  return new AppError(
    'invalid_input',
    `${issue?.path.map(String).join('.') || 'body'}: ${issue?.message ?? 'invalid'}`,
  );
}

type Choice = {
  index: number;
  message: Record<string, unknown> & { tool_calls?: ChatCompletionMessageFunctionToolCall[] };
  finish_reason: string;
};

/** Runs the loop and answers with its last assistant turn, usage summed over every turn. */
export async function completeChat(run: AgentRun, signal: AbortSignal): Promise<ChatCompletion> {
  const turns: AgentFrame[] = [];
  await run.run((frame) => frame.object === 'chat.completion' && turns.push(frame), signal);
  const last = turns.at(-1);
  if (!last) throw new AppError('upstream', 'the run ended without an answer');
  const [choice] = last.choices as Choice[];
  return { ...last, choices: [{ ...choice, logprobs: null }], usage: sumUsage(turns) } as unknown as ChatCompletion;
}

/**
 * Runs the loop as `chat.completion.chunk`s: the text of every turn as the model writes it (turns
 * apart by a blank line), then the last turn's tool calls for the caller, if any, and its finish.
 */
export async function streamChat(
  run: AgentRun,
  signal: AbortSignal,
  write: (chunk: ChatCompletionChunk) => void,
): Promise<void> {
  let last: AgentFrame | undefined;
  let model = '';
  let wrote = false;
  let textBefore = false;
  let apart = false;
  const chunk = (
    delta: ChatCompletionChunk.Choice.Delta,
    finish: ChatCompletionChunk.Choice['finish_reason'] = null,
  ) => {
    const first = !wrote;
    wrote = true;
    write({
      id: run.id,
      object: 'chat.completion.chunk',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [
        { index: 0, delta: first ? { role: 'assistant', ...delta } : delta, finish_reason: finish, logprobs: null },
      ],
    });
  };
  await run.run(
    (frame) => {
      if (typeof frame.model === 'string') model = frame.model;
      if (frame.object === 'chat.completion') {
        last = frame;
        apart = textBefore;
      }
      const content = (frame.choices as { delta?: { content?: string } }[])[0]?.delta?.content;
      if (frame.object !== 'chat.completion.chunk' || !content) return;
      chunk({ content: apart ? `\n\n${content}` : content });
      apart = false;
      textBefore = true;
    },
    signal,
    true,
  );
  const [choice] = (last?.choices ?? []) as Choice[];
  const calls = choice?.message.tool_calls ?? [];
  if (calls.length > 0) chunk({ tool_calls: calls.map((call, index) => ({ index, ...call })) });
  chunk({}, (choice?.finish_reason ?? 'stop') as ChatCompletionChunk.Choice['finish_reason']);
}

function sumUsage(turns: AgentFrame[]): ChatCompletion['usage'] {
  const usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
  for (const turn of turns) {
    const counts = (turn.usage ?? {}) as Partial<typeof usage>;
    usage.prompt_tokens += counts.prompt_tokens ?? 0;
    usage.completion_tokens += counts.completion_tokens ?? 0;
    usage.total_tokens += counts.total_tokens ?? 0;
  }
  return usage;
}
