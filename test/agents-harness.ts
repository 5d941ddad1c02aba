import { expect } from 'vitest';
import { cli } from './helpers.js';
import type { ServedHub } from './hub-process.js';
import { readFrames, type ScriptedModel } from './model-server.js';

/** One frame of `/v1/agents/heroku`: a whole `chat.completion` or a `tool.completion`. */
export interface Frame {
  id: string;
  object: string;
  model?: string;
  choices: {
    message: {
      role: string;
      content: string | null;
      tool_calls?: { id: string; type: string; function: { name: string; arguments: string } }[];
      tool_call_id?: string;
      name?: string;
    };
    finish_reason: string;
  }[];
  usage: Record<string, unknown>;
}

export interface ToolResult {
  content: { type: string; text: string }[];
  isError?: boolean;
  structuredContent?: { result: unknown };
}

/** The sha256 of 'Heroku Rocks', Heroku's own example. */
export const herokuRocks = '7ebc92bcf8f51f0b623a18f0a357639410a409340043c7a670bb180acd138e6b';

/** A model resource named `name` served by the scripted model, as a user creates one. */
export async function createResource(
  home: string,
  model: ScriptedModel,
  name = 'claude',
  modelId = 'claude-4-sonnet',
): Promise<void> {
  const made = await cli(home, [
    'models:create',
    name,
    '--provider',
    'openai',
    '--model',
    modelId,
    '--base-url',
    `${model.url}/v1`,
  ]);
  expect(made.stderr).not.toContain('procdock:');
  expect(made.code).toBe(0);
}

/** Posts an agent request with a resource's key. */
export function agent(hub: ServedHub, key: string, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${hub.url}/v1/agents/heroku`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify(body),
  });
}

/** The run's frames: every SSE frame, and the `event:message` ones parsed. */
export async function frames(
  response: Response,
): Promise<{ all: { event: string; data: string }[]; messages: Frame[] }> {
  const all = await readFrames(response);
  return { all, messages: all.filter((f) => f.event === 'message').map((f) => JSON.parse(f.data) as Frame) };
}

/** The `CallToolResult` a `tool.completion` frame carries, unwrapped from Heroku's `Tool '…' returned result:` text. */
export function toolResult(frame: Frame | undefined): ToolResult {
  expect(frame?.object).toBe('tool.completion');
  const content = frame!.choices[0]!.message.content!;
  expect(content).toMatch(/^Tool '.*?' returned result: \{/s);
  return JSON.parse(content.replace(/^Tool '.*?' returned result: /s, '')) as ToolResult;
}

/** Runs one agent request whose scripted model calls one tool once, and returns that tool's result. */
export async function callOnce(
  hub: ServedHub,
  key: string,
  model: ScriptedModel,
  tool: { type: 'heroku_tool' | 'mcp'; name: string; runtime_params?: Record<string, unknown> },
  args: Record<string, unknown>,
): Promise<ToolResult> {
  model.play({ tool_calls: [{ name: tool.name, arguments: args }] }, { content: 'Done.' });
  const response = await agent(hub, key, {
    model: 'claude-4-sonnet',
    messages: [{ role: 'user', content: `use ${tool.name}` }],
    tools: [tool],
  });
  expect(response.status).toBe(200);
  const { all, messages } = await frames(response);
  expect(all.at(-1)).toEqual({ event: 'done', data: '[DONE]' });
  return toolResult(messages.find((m) => m.object === 'tool.completion'));
}
