import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containersOf, dockerEngine, testNodeImage } from './docker.js';
import { cleanupTempDirs, cli, makeApp, makeFixtureApp, root, tempDir } from './helpers.js';
import { serveHub, type ServedHub } from './hub-process.js';
import { readFrames, ScriptedModel } from './model-server.js';

const docker = await dockerEngine();

const expectedHash = '7ebc92bcf8f51f0b623a18f0a357639410a409340043c7a670bb180acd138e6b';
const hashCode = "const c = require('crypto'); console.log(c.createHash('sha256').update('Heroku Rocks').digest('hex'))";
const dockerEnv = { PROCDOCK_SANDBOX: 'docker', PROCDOCK_BASE_IMAGE_NODE: testNodeImage };

interface Frame {
  id: string;
  object: string;
  model?: string;
  choices: { message: { role: string; content: string | null; tool_calls?: { id: string; function: { name: string; arguments: string } }[]; tool_call_id?: string; name?: string }; finish_reason: string }[];
  usage: Record<string, unknown>;
}

describe.skipIf(!docker)('Heroku-compatible agents', () => {
  let model: ScriptedModel;
  let hub: ServedHub;
  let home: string;
  let key: string;
  let anthropicKey: string;

  beforeAll(async () => {
    model = await new ScriptedModel().start();
    home = tempDir();
    const { version } = JSON.parse(readFileSync(join(root, 'node_modules/@modelcontextprotocol/server-everything/package.json'), 'utf8')) as { version: string };
    const everything = makeApp({
      Procfile: 'mcp-everything: node node_modules/@modelcontextprotocol/server-everything/dist/index.js stdio\n',
      'package.json': JSON.stringify({ name: 'everything', private: true, dependencies: { '@modelcontextprotocol/server-everything': version } }),
    }, 'everything');
    const probe = makeFixtureApp('mcp-probe: node probe.mjs\n', ['probe.mjs'], {}, 'probe');
    expect((await cli(home, ['models:create', 'claude', '--provider', 'openai', '--model', 'claude-4-sonnet', '--base-url', `${model.url}/v1`], dockerEnv)).code).toBe(0);
    expect((await cli(home, ['models:create', 'anthropic', '--provider', 'anthropic', '--model', 'claude-sonnet-4-5', '--base-url', model.url], dockerEnv)).code).toBe(0);
    for (const app of [everything, probe]) expect((await cli(home, ['apps:add', app, '--attach', 'claude'], dockerEnv)).stderr).not.toContain('procdock:');
    expect((await cli(home, ['attach', 'everything', '--resource', 'anthropic'], dockerEnv)).code).toBe(0);
    hub = await serveHub(home, [], { ...dockerEnv, SCRIPTED_MODEL_KEY: 'sk-from-the-environment' });
    key = await hub.key('claude');
    anthropicKey = await hub.key('anthropic');
  }, 240_000);

  afterAll(async () => {
    await hub?.stop();
    await model?.stop();
    cleanupTempDirs();
  });

  const agent = (body: Record<string, unknown>, k = key, signal?: AbortSignal) =>
    fetch(`${hub.url}/v1/agents/heroku`, {
      method: 'POST',
      headers: { authorization: `Bearer ${k}`, 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify(body),
      ...(signal ? { signal } : {}),
    });

  async function frames(response: Response) {
    const all = await readFrames(response);
    return { all, messages: all.filter((f) => f.event === 'message').map((f) => JSON.parse(f.data) as Frame) };
  }

  it('runs Heroku’s example: the sha256 of "Heroku Rocks" with code_exec_node in a container', async () => {
    model.play({ content: 'I will compute it.', tool_calls: [{ name: 'code_exec_node', arguments: { code: hashCode } }] }, { content: `The hash is ${expectedHash}.` });
    const response = await agent({
      model: 'claude-4-sonnet',
      messages: [{ role: 'user', content: "take the sha256 of 'Heroku Rocks'" }],
      tools: [{ type: 'heroku_tool', name: 'code_exec_node' }],
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const { all, messages } = await frames(response);
    expect(all.at(-1)).toEqual({ event: 'done', data: '[DONE]' });
    expect(messages.map((m) => m.object)).toEqual(['chat.completion', 'tool.completion', 'chat.completion']);
    expect(new Set(messages.map((m) => m.id)).size).toBe(1);
    const [first, tool, last] = messages as [Frame, Frame, Frame];
    expect(first.model).toBe('claude-4-sonnet');
    expect(first.choices[0]).toMatchObject({ finish_reason: 'tool_calls', message: { role: 'assistant', content: 'I will compute it.' } });
    const call = first.choices[0]!.message.tool_calls![0]!;
    expect(call.function.name).toBe('code_exec_node');
    expect(tool).not.toHaveProperty('model');
    expect(tool.usage).toEqual({});
    expect(tool.choices[0]).toMatchObject({ finish_reason: '', message: { role: 'tool', tool_call_id: call.id, name: 'code_exec_node' } });
    const content = tool.choices[0]!.message.content!;
    expect(content).toMatch(/^Tool 'code_exec_node' returned result: \{/);
    const result = JSON.parse(content.replace(/^Tool '.*?' returned result: /, '')) as { content: { text: string }[]; isError: boolean };
    expect(result.isError).toBe(false);
    expect(JSON.parse(result.content[0]!.text)).toEqual({ returncode: 0, stdout: expectedHash, stderr: '' });
    expect(createHash('sha256').update('Heroku Rocks').digest('hex')).toBe(expectedHash);
    expect(last.choices[0]).toMatchObject({ finish_reason: 'stop', message: { content: `The hash is ${expectedHash}.` } });
    const followUp = model.requests[1]!.body.messages as { role: string; content: string }[];
    expect(followUp.at(-1)).toMatchObject({ role: 'tool', content });
  });

  it('runs an MCP tool of a registered npm server, named bare or namespaced, with its registered schema', async () => {
    for (const name of ['echo', 'mcp-everything/echo']) {
      model.play({ tool_calls: [{ name: 'mcp-everything/echo', arguments: { message: 'Heroku Rocks' } }] }, { content: 'Done.' });
      const { messages } = await frames(await agent({ model: 'claude-4-sonnet', messages: [{ role: 'user', content: 'echo it' }], tools: [{ type: 'mcp', name }] }));
      const offered = model.requests[0]!.body.tools as { function: { name: string; parameters: unknown; description: string } }[];
      expect(offered[0]!.function.name).toBe('mcp-everything_echo');
      expect(offered[0]!.function.description).toBe('Echoes back the input string');
      expect(offered[0]!.function.parameters).toMatchObject({ type: 'object', properties: { message: { type: 'string' } } });
      expect(messages[0]!.choices[0]!.message.tool_calls![0]!.function.name).toBe('mcp-everything/echo');
      expect(messages[1]!.choices[0]!.message).toMatchObject({
        name: 'mcp-everything/echo',
        content: `Tool 'mcp-everything/echo' returned result: ${JSON.stringify({ content: [{ type: 'text', text: 'Echo: Heroku Rocks' }] })}`,
      });
    }
  });

  it('speaks Anthropic’s Messages API for an anthropic resource', async () => {
    model.play({ tool_calls: [{ name: 'mcp-everything/get-sum', arguments: { a: 2, b: 3 } }] }, { content: 'It is 5.' });
    const { messages } = await frames(
      await agent({ model: 'claude-sonnet-4-5', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'add 2 and 3' }], tools: [{ type: 'mcp', name: 'get-sum' }] }, anthropicKey),
    );
    expect(model.requests[0]!.path).toBe('/v1/messages');
    expect(model.requests[0]!.body).toMatchObject({ system: 'Be brief.', tools: [{ name: 'mcp-everything_get-sum' }] });
    expect(messages[1]!.choices[0]!.message.content).toContain('The sum of 2 and 3 is 5.');
    const second = model.requests[1]!.body.messages as { role: string; content: { type: string; tool_use_id?: string }[] }[];
    expect(second.at(-1)!.content[0]).toMatchObject({ type: 'tool_result' });
    expect(messages.at(-1)!.choices[0]!.message.content).toBe('It is 5.');
  });

  it('runs dyno_run_command: a preset command of the target app, in its image', async () => {
    model.play({ tool_calls: [{ name: 'dyno_run_command', arguments: {} }] }, { content: 'Listed.' });
    const { messages } = await frames(
      await agent({
        model: 'claude-4-sonnet',
        messages: [{ role: 'user', content: 'what files does the probe app have?' }],
        tools: [{ type: 'heroku_tool', name: 'dyno_run_command', runtime_params: { target_app_name: 'probe', tool_params: { cmd: `node -e "console.log(require('fs').readdirSync('/app').join('\\n'))"`, description: 'Lists the app files' } } }],
      }),
    );
    const offered = model.requests[0]!.body.tools as { function: { name: string; description: string } }[];
    expect(offered[0]!.function).toMatchObject({ name: 'dyno_run_command', description: 'Lists the app files' });
    const result = JSON.parse(messages[1]!.choices[0]!.message.content!.replace(/^Tool '.*?' returned result: /, '')) as { content: { text: string }[] };
    const output = JSON.parse(result.content[0]!.text) as { returncode: number; stdout: string };
    expect(output.returncode).toBe(0);
    expect(output.stdout.split('\n')).toEqual(expect.arrayContaining(['Procfile', 'probe.mjs', 'mini-mcp.mjs']));
  });

  it('gives the provider its API key from the sealed store or the hub’s environment, and never shows it', async () => {
    const sealed = await cli(
      home,
      ['models:create', 'sealed', '--preset', 'openai', '--model', 'm1', '--base-url', `${model.url}/v1`, '--api-key-stdin', '--json'],
      dockerEnv,
      'sk-sealed-secret\n',
    );
    expect(sealed.code).toBe(0);
    expect(JSON.parse(sealed.stdout)).toMatchObject({ provider: 'openai', base_url: `${model.url}/v1`, api_key_env: 'OPENAI_API_KEY', has_api_key: true });
    const fromEnv = await cli(home, ['models:create', 'envkey', '--provider', 'openai', '--model', 'm2', '--base-url', `${model.url}/v1`, '--api-key-env', 'SCRIPTED_MODEL_KEY'], dockerEnv);
    expect(fromEnv.code).toBe(0);
    for (const [resource, modelId, expected] of [['sealed', 'm1', 'sk-sealed-secret'], ['envkey', 'm2', 'sk-from-the-environment']] as const) {
      model.play({ content: 'ok' });
      await frames(await agent({ model: modelId, messages: [{ role: 'user', content: 'hi' }] }, await hub.key(resource)));
      expect(model.requests[0]!.headers.authorization).toBe(`Bearer ${expected}`);
    }
    const listed = (await cli(home, ['models', '--json'], dockerEnv)).stdout;
    expect(listed).not.toContain('sk-sealed-secret');
    const raw = ['procdock.db', 'procdock.db-wal'].map((f) => (existsSync(join(home, f)) ? readFileSync(join(home, f)).toString('latin1') : '')).join('');
    expect(raw).not.toContain('sk-sealed-secret');
  });

  it('stops a run that will not end after 12 model turns, with event:error', async () => {
    model.play(...Array.from({ length: 13 }, () => ({ tool_calls: [{ name: 'mcp-probe/slow', arguments: { ms: 1 } }] })));
    const { all, messages } = await frames(
      await agent({ model: 'claude-4-sonnet', messages: [{ role: 'user', content: 'loop' }], tools: [{ type: 'mcp', name: 'mcp-probe/slow', runtime_params: { max_calls: 10 } }] }),
    );
    expect(messages.filter((m) => m.object === 'chat.completion')).toHaveLength(12);
    expect(all.slice(-2).map((f) => f.event)).toEqual(['error', 'done']);
    expect(JSON.parse(all.at(-2)!.data).error.message).toMatch(/stopped after 12 model turns/);
  }, 120_000);

  it('refuses bad requests with a 400 JSON error before any stream, and changes nothing', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ model: 'claude-4-sonnet', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'mcp', name: 'no-such-tool' }] }, /unknown tool "no-such-tool"/],
      [{ model: 'gpt-5', messages: [{ role: 'user', content: 'x' }] }, /unknown model "gpt-5"/],
      [{ model: 'claude-4-sonnet', messages: [{ role: 'wizard', content: 'x' }] }, /messages\.0\.role/],
      [{ model: 'claude-4-sonnet', messages: [] }, /messages/],
      [{ model: 'claude-4-sonnet', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'heroku_tool', name: 'web_search' }] }, /unknown heroku_tool "web_search"/],
    ];
    for (const [body, message] of cases) {
      const response = await agent(body);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/json');
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
    expect((await agent({ model: 'claude-4-sonnet', messages: [{ role: 'user', content: 'x' }] }, 'inf-wrong')).status).toBe(401);
  });

  it.each([
    [429, 'rate_limit_error'],
    [500, 'provider_error'],
  ])('reports a provider that answers %i as event:error, then done', async (status, type) => {
    model.play({ status, message: 'scripted failure' });
    const { all } = await frames(await agent({ model: 'claude-4-sonnet', messages: [{ role: 'user', content: 'x' }] }));
    expect(all.map((f) => f.event)).toEqual(['error', 'done']);
    expect(JSON.parse(all[0]!.data)).toMatchObject({ error: { type, message: expect.stringContaining(String(status)) } });
  });

  it('reports a provider that is down, and the hub goes on', async () => {
    expect((await cli(home, ['models:create', 'down', '--provider', 'openai', '--model', 'm', '--base-url', 'http://127.0.0.1:9/v1'], dockerEnv)).code).toBe(0);
    const { all } = await frames(await agent({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, await hub.key('down')));
    expect(all[0]!.event).toBe('error');
    expect(JSON.parse(all[0]!.data).error.message).toMatch(/could not be reached/);
    expect((await fetch(`${hub.url}/health`)).status).toBe(200);
  });

  it('turns a tool that hangs past ttl_seconds into an error result, and enforces max_calls', async () => {
    model.play(
      { tool_calls: [{ name: 'mcp-probe/hang', arguments: {} }] },
      { tool_calls: [{ name: 'mcp-probe/hang', arguments: {} }] },
      { content: 'Gave up.' },
    );
    const { messages } = await frames(
      await agent({
        model: 'claude-4-sonnet',
        messages: [{ role: 'user', content: 'hang' }],
        tools: [{ type: 'mcp', name: 'mcp-probe/hang', runtime_params: { ttl_seconds: 2, max_calls: 1 } }],
      }),
    );
    expect(messages.map((m) => m.object)).toEqual(['chat.completion', 'tool.completion', 'chat.completion', 'tool.completion', 'chat.completion']);
    expect(messages[1]!.choices[0]!.message.content).toMatch(/"isError":true.*ran out of time: killed after 2 s/);
    expect(messages[3]!.choices[0]!.message.content).toMatch(/max_calls \(1\) used up/);
  });

  it('stops the loop and kills its container when the client goes away', async () => {
    model.play({ tool_calls: [{ name: 'mcp-probe/slow', arguments: { ms: 30_000 } }] }, { content: 'never' });
    const controller = new AbortController();
    const response = await agent({ model: 'claude-4-sonnet', messages: [{ role: 'user', content: 'wait' }], tools: [{ type: 'mcp', name: 'slow' }] }, key, controller.signal);
    const reader = response.body!.getReader();
    await reader.read();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    controller.abort();
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const [call] = JSON.parse((await cli(home, ['calls', '--json', '--limit', '1'], dockerEnv)).stdout) as { tool: string; status: string; timings: { total_ms: number }; id: string }[];
    expect(call).toMatchObject({ tool: 'slow', status: 'error' });
    expect(call!.timings.total_ms).toBeLessThan(10_000);
    expect(await containersOf(docker!, `procdock.call=${call!.id}`)).toEqual([]);
    expect(model.requests).toHaveLength(1);
  });

  it('serves /v1/chat/completions to the official openai SDK, whole and streamed with tool-call deltas', async () => {
    const openai = new OpenAI({ baseURL: `${hub.url}/v1`, apiKey: key, maxRetries: 0 });
    model.play({ content: 'Hello there.' });
    const whole = await openai.chat.completions.create({ model: 'claude-4-sonnet', messages: [{ role: 'user', content: 'hi' }] });
    expect(whole.choices[0]!.message.content).toBe('Hello there.');

    model.play({ tool_calls: [{ name: 'lookup', arguments: { city: 'Paris' } }] });
    const stream = await openai.chat.completions.create({
      model: 'claude-4-sonnet',
      messages: [{ role: 'user', content: 'weather?' }],
      tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
      stream: true,
    });
    let args = '';
    let name = '';
    let finish: string | null = null;
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta;
      name += delta?.tool_calls?.[0]?.function?.name ?? '';
      args += delta?.tool_calls?.[0]?.function?.arguments ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect({ name, args: JSON.parse(args), finish }).toEqual({ name: 'lookup', args: { city: 'Paris' }, finish: 'tool_calls' });
    expect(model.requests[0]!.body.tools).toEqual([{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }]);

    const anthropic = new OpenAI({ baseURL: `${hub.url}/v1`, apiKey: anthropicKey });
    model.play({ content: 'Streamed from Anthropic.' });
    let text = '';
    for await (const chunk of await anthropic.chat.completions.create({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }], stream: true })) {
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    expect(text).toBe('Streamed from Anthropic.');
    expect(model.requests[0]!.path).toBe('/v1/messages');

    model.play({ status: 429, message: 'slow down' });
    await expect(openai.chat.completions.create({ model: 'claude-4-sonnet', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status: 429 });
  });

  it('streams a run in the terminal with procdock agent', async () => {
    model.play({ tool_calls: [{ name: 'code_exec_node', arguments: { code: hashCode } }] }, { content: `The hash is ${expectedHash}.` });
    const run = await cli(home, ['agent', "take the sha256 of 'Heroku Rocks'", '--resource', 'claude', '--tool', 'code_exec_node'], dockerEnv);
    expect(run.stderr).not.toContain('procdock:');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('→ code_exec_node');
    expect(run.stdout).toContain(expectedHash);
    expect(run.stdout).toMatch(/The hash is 7ebc92bc/);
  });
});
