import { performance } from 'node:perf_hooks';
import { AgentRun, type AgentFrame } from '../agents/agent-loop.js';
import type { AgentRequest } from '../agents/agent-request.js';
import { herokuTools } from '../agents/heroku-tools.js';
import { resolveDataDir } from '../hub/data-dir.js';
import { isAlive, readHubFile } from '../hub/hub-file.js';
import { Hub } from '../hub/hub.js';
import { usableProvider } from '../hub/provider-check.js';
import { AppError } from '../shared/errors.js';
import { HubClient } from './hub-client.js';

interface AgentOptions {
  resource: string;
  tools: string[];
  json: boolean;
}

/** `procdock agent PROMPT`: runs the agent loop and prints the run as it happens. */
export async function runAgent(prompt: string, options: AgentOptions): Promise<void> {
  const printer = new RunPrinter(options.json);
  const tools = options.tools.map((name) => ({ type: name in herokuTools ? ('heroku_tool' as const) : ('mcp' as const), name }));
  const dataDir = resolveDataDir();
  const running = readHubFile(dataDir);
  if (running?.url && running.token && isAlive(running.pid)) {
    const env = await new HubClient(running.url, running.token).run('key', { resource: options.resource });
    const request: AgentRequest = { model: env.INFERENCE_MODEL_ID, messages: [{ role: 'user', content: prompt }], tools };
    return viaHub(env.INFERENCE_URL, env.INFERENCE_KEY, request, printer);
  }
  const hub = new Hub({ dataDir });
  try {
    const resource = hub.registry.resource(options.resource);
    const request: AgentRequest = { model: resource.model_id, messages: [{ role: 'user', content: prompt }], tools };
    const run = new AgentRun(hub, resource, usableProvider(hub.catalog, resource), request);
    await run.run((frame) => printer.frame(frame), new AbortController().signal);
  } finally {
    await hub.close();
  }
}

async function viaHub(url: string, key: string, request: AgentRequest, printer: RunPrinter): Promise<void> {
  const response = await fetch(`${url}/v1/agents/heroku`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify(request),
  });
  if (!response.ok) {
    const body = (await response.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
    throw new AppError('invalid_input', body?.error?.message ?? `the hub answered ${response.status}`);
  }
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body ?? []) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: ?(.*)$/m.exec(block)?.[1] ?? 'message';
      const data = /^data: ?(.*)$/m.exec(block)?.[1] ?? '';
      if (event === 'message') printer.frame(JSON.parse(data) as AgentFrame);
      if (event === 'error') throw new AppError('upstream', (JSON.parse(data) as { error: { message: string } }).error.message);
    }
  }
}

interface FrameMessage {
  content?: string | null;
  name?: string;
  tool_calls?: { function: { name: string; arguments: string } }[];
}

/** Prints frames for a person: the assistant's words, each tool call, its result and how long it took. */
class RunPrinter {
  private called = performance.now();

  constructor(private readonly json: boolean) {}

  frame(frame: AgentFrame): void {
    if (this.json) return void process.stdout.write(`${JSON.stringify(frame)}\n`);
    const choice = (frame.choices as { message: FrameMessage }[] | undefined)?.[0];
    if (!choice) return;
    const message = choice.message;
    if (frame.object === 'chat.completion') {
      if (message.content) process.stdout.write(`${message.content}\n`);
      for (const call of message.tool_calls ?? []) process.stdout.write(`→ ${call.function.name} ${call.function.arguments}\n`);
      this.called = performance.now();
      return;
    }
    const took = ((performance.now() - this.called) / 1000).toFixed(2);
    const raw = (message.content ?? '').replace(/^Tool '.*?' returned result: /s, '');
    let shown = raw;
    try {
      const result = JSON.parse(raw) as { content?: { type: string; text?: string }[]; isError?: boolean };
      shown = `${result.isError ? 'error: ' : ''}${(result.content ?? []).map((c) => c.text ?? `[${c.type}]`).join('\n')}`;
    } catch {
      // Not JSON: show it as it came.
    }
    process.stdout.write(`← ${message.name ?? 'tool'} (${took}s): ${shown.length > 2000 ? `${shown.slice(0, 2000)}…` : shown}\n`);
    this.called = performance.now();
  }
}
