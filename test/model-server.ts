import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The one stand-in of the test suites: a scripted model speaking OpenAI's chat-completions format
 * (whole responses, and streams with tool-call deltas) and Anthropic's Messages format (whole and
 * streamed events). Each request takes the next turn of the script.
 */
export type Turn =
  | { content?: string; tool_calls?: { name: string; arguments: Record<string, unknown> }[] }
  | { status: number; message: string };

export class ScriptedModel {
  readonly requests: { path: string; body: Record<string, unknown>; headers: IncomingMessage['headers'] }[] = [];
  private script: Turn[] = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  play(...turns: Turn[]): void {
    this.script = turns;
    this.requests.length = 0;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The models it lists when probed as Ollama (`GET /api/tags`) or LM Studio (`GET /v1/models`). */
  models = ['scripted-1'];

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'GET' && (req.url === '/api/tags' || req.url === '/v1/models')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      const body = req.url === '/api/tags' ? { models: this.models.map((name) => ({ name, model: name })) } : { object: 'list', data: this.models.map((id) => ({ id, object: 'model' })) };
      return void res.end(JSON.stringify(body));
    }
    let text = '';
    for await (const chunk of req) text += chunk;
    const body = JSON.parse(text || '{}') as Record<string, unknown>;
    this.requests.push({ path: req.url ?? '', body, headers: req.headers });
    const turn = this.script.shift() ?? { content: 'The script has run out.' };
    if ('status' in turn) {
      res.writeHead(turn.status, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ error: { message: turn.message, type: 'scripted_error' }, type: 'error' }));
    }
    const tools = ((body.tools ?? []) as { name?: string; function?: { name: string } }[]).map((t) => t.function?.name ?? t.name ?? '');
    const calls = (turn.tool_calls ?? []).map((c, i) => ({
      id: `call_${this.requests.length}_${i}`,
      // The model calls the function the request offered: a name the provider accepts.
      name: tools.includes(c.name) ? c.name : c.name.replace(/[^a-zA-Z0-9_-]/g, '_'),
      arguments: JSON.stringify(c.arguments),
    }));
    if (req.url?.startsWith('/v1/messages')) return this.anthropic(res, body, turn.content ?? '', calls);
    return this.openai(res, body, turn.content ?? '', calls);
  }

  private openai(res: ServerResponse, body: Record<string, unknown>, content: string, calls: { id: string; name: string; arguments: string }[]): void {
    const base = { id: `chatcmpl-scripted-${this.requests.length}`, created: 1_700_000_000, model: String(body.model) };
    const finish = calls.length ? 'tool_calls' : 'stop';
    if (!body.stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(
        JSON.stringify({
          ...base,
          object: 'chat.completion',
          choices: [
            {
              index: 0,
              message: {
                role: 'assistant',
                content: content || null,
                refusal: null,
                ...(calls.length ? { tool_calls: calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })) } : {}),
              },
              finish_reason: finish,
              logprobs: null,
            },
          ],
          usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
        }),
      );
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const send = (delta: Record<string, unknown>, finish_reason: string | null = null) =>
      res.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason, logprobs: null }] })}\n\n`);
    send({ role: 'assistant', content: '' });
    const half = Math.ceil(content.length / 2);
    if (content) [content.slice(0, half), content.slice(half)].forEach((part) => send({ content: part }));
    calls.forEach((c, index) => {
      send({ tool_calls: [{ index, id: c.id, type: 'function', function: { name: c.name, arguments: '' } }] });
      const cut = Math.ceil(c.arguments.length / 2);
      send({ tool_calls: [{ index, function: { arguments: c.arguments.slice(0, cut) } }] });
      send({ tool_calls: [{ index, function: { arguments: c.arguments.slice(cut) } }] });
    });
    send({}, finish);
    res.end('data: [DONE]\n\n');
  }

  private anthropic(res: ServerResponse, body: Record<string, unknown>, content: string, calls: { id: string; name: string; arguments: string }[]): void {
    const id = `msg_scripted_${this.requests.length}`;
    const stopReason = calls.length ? 'tool_use' : 'end_turn';
    const blocks = [
      ...(content ? [{ type: 'text', text: content }] : []),
      ...calls.map((c) => ({ type: 'tool_use', id: c.id, name: c.name, input: JSON.parse(c.arguments) as unknown })),
    ];
    const usage = { input_tokens: 10, output_tokens: 5 };
    if (!body.stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ id, type: 'message', role: 'assistant', model: body.model, content: blocks, stop_reason: stopReason, stop_sequence: null, usage }));
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const event = (type: string, data: Record<string, unknown>) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
    event('message_start', { message: { id, type: 'message', role: 'assistant', model: body.model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 10, output_tokens: 1 } } });
    blocks.forEach((block, index) => {
      if (block.type === 'text') {
        event('content_block_start', { index, content_block: { type: 'text', text: '' } });
        const text = (block as { text: string }).text;
        const half = Math.ceil(text.length / 2);
        [text.slice(0, half), text.slice(half)].forEach((part) => event('content_block_delta', { index, delta: { type: 'text_delta', text: part } }));
      } else {
        const call = block as { id: string; name: string; input: unknown };
        event('content_block_start', { index, content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} } });
        const json = JSON.stringify(call.input);
        const cut = Math.ceil(json.length / 2);
        [json.slice(0, cut), json.slice(cut)].forEach((part) => event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: part } }));
      }
      event('content_block_stop', { index });
    });
    event('message_delta', { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: 5 } });
    event('message_stop', {});
    res.end();
  }
}

/** Reads an SSE response into its frames. */
export async function readFrames(response: Response): Promise<{ event: string; data: string }[]> {
  const text = await response.text();
  return text
    .split('\n\n')
    .filter((block) => block.trim())
    .map((block) => ({
      event: /^event: ?(.*)$/m.exec(block)?.[1] ?? 'message',
      data: block
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.replace(/^data: ?/, ''))
        .join('\n'),
    }));
}
