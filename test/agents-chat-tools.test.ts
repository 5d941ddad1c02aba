import OpenAI from 'openai';
import type { ChatCompletionCreateParams } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agent, createResource, frames, herokuRocks } from './agents-harness.js';
import { languageImagesEnv } from './agents-images.js';
import { dockerEngine } from './docker.js';
import { cleanupTempDirs, cli, freshHome, makeNpmApp } from './helpers.js';
import { serveHub, type ServedHub } from './hub-process.js';
import { ScriptedModel } from './model-server.js';

const docker = await dockerEngine();
const imagesEnv = docker ? languageImagesEnv() : undefined;

const hashCode = "import hashlib\nprint(hashlib.sha256('Heroku Rocks'.encode()).hexdigest())";
const pythonTool = { type: 'heroku_tool', name: 'code_exec_python' };
const ask = [{ role: 'user' as const, content: "take the sha256 of 'Heroku Rocks'" }];

/** Heroku's `extra_body: {"heroku": {"tools": [...]}}`: the Node SDK sends an extra field as it is. */
function withHerokuTools<T extends ChatCompletionCreateParams>(params: T, tools: unknown[]): T {
  return { ...params, heroku: { tools } } as T;
}

describe.skipIf(!docker || !imagesEnv)(
  'heroku tools through /v1/chat/completions, with the official openai SDK',
  () => {
    let model: ScriptedModel;
    let hub: ServedHub;
    let home: string;
    let openai: OpenAI;
    let anthropic: OpenAI;

    beforeAll(async () => {
      model = await new ScriptedModel().start();
      home = freshHome();
      await createResource(home, model);
      expect(
        (
          await cli(home, [
            'models:create',
            'anthropic',
            '--provider',
            'anthropic',
            '--model',
            'claude-sonnet-4-5',
            '--base-url',
            model.url,
          ])
        ).code,
      ).toBe(0);
      const everything = makeNpmApp(
        'mcp-everything: mcp-server-everything stdio\n',
        ['@modelcontextprotocol/server-everything'],
        'everything',
      );
      expect((await cli(home, ['apps:add', everything, '--attach', 'claude'])).stderr).not.toContain('procdock:');
      expect((await cli(home, ['attach', 'everything', '--resource', 'anthropic'])).code).toBe(0);
      hub = await serveHub(home, [], imagesEnv);
      openai = new OpenAI({ baseURL: `${hub.url}/v1`, apiKey: await hub.key('claude'), maxRetries: 0 });
      anthropic = new OpenAI({ baseURL: `${hub.url}/v1`, apiKey: await hub.key('anthropic'), maxRetries: 0 });
    }, 240_000);

    afterAll(async () => {
      await hub?.stop();
      await model?.stop();
      cleanupTempDirs();
    });

    it('runs a heroku tool server-side and answers with the final completion', async () => {
      model.play(
        { content: 'Computing.', tool_calls: [{ name: 'code_exec_python', arguments: { code: hashCode } }] },
        { content: `The hash is ${herokuRocks}.` },
      );
      const completion = await openai.chat.completions.create(
        withHerokuTools({ model: 'claude-4-sonnet', messages: ask }, [pythonTool]),
      );
      expect(completion).toMatchObject({
        object: 'chat.completion',
        model: 'claude-4-sonnet',
        usage: { prompt_tokens: 20, completion_tokens: 10, total_tokens: 30 },
      });
      expect(completion.choices[0]).toMatchObject({
        finish_reason: 'stop',
        message: { role: 'assistant', content: `The hash is ${herokuRocks}.` },
      });
      const toolTurn = (model.requests[1]!.body.messages as { role: string; content: string }[]).at(-1)!;
      expect(toolTurn.role).toBe('tool');
      expect(toolTurn.content).toMatch(/^Tool 'code_exec_python' returned result: /);
      expect(toolTurn.content).toContain(herokuRocks);
      const [call] = JSON.parse((await cli(home, ['calls', '--json', '--limit', '1'])).stdout) as {
        tool: string;
        status: string;
        resource: string;
      }[];
      expect(call).toMatchObject({ tool: 'code_exec_python', status: 'ok', resource: 'claude' });
    });

    it('streams the run as chunks: each turn’s text, then the finish', async () => {
      model.play(
        { content: 'Computing.', tool_calls: [{ name: 'code_exec_python', arguments: { code: hashCode } }] },
        { content: `The hash is ${herokuRocks}.` },
      );
      const stream = await openai.chat.completions.create(
        withHerokuTools({ model: 'claude-4-sonnet', messages: ask, stream: true }, [pythonTool]),
      );
      let text = '';
      const finishes: (string | null)[] = [];
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        finishes.push(chunk.choices[0]?.finish_reason ?? null);
        expect(chunk.choices[0]?.delta.tool_calls).toBeUndefined();
      }
      expect(text).toBe(`Computing.\n\nThe hash is ${herokuRocks}.`);
      expect(finishes.filter(Boolean)).toEqual(['stop']);
      expect(model.requests).toHaveLength(2);
    });

    it('hands the caller its own function tools, and runs only the heroku ones', async () => {
      const lookup = {
        type: 'function' as const,
        function: { name: 'lookup', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
      };
      model.play({ tool_calls: [{ name: 'lookup', arguments: { city: 'Paris' } }] });
      const whole = await openai.chat.completions.create(
        withHerokuTools({ model: 'claude-4-sonnet', messages: ask, tools: [lookup] }, [pythonTool]),
      );
      expect(whole.choices[0]).toMatchObject({
        finish_reason: 'tool_calls',
        message: { tool_calls: [{ type: 'function', function: { name: 'lookup', arguments: '{"city":"Paris"}' } }] },
      });
      expect((model.requests[0]!.body.tools as { function: { name: string } }[]).map((t) => t.function.name)).toEqual([
        'code_exec_python',
        'lookup',
      ]);

      model.play({ tool_calls: [{ name: 'lookup', arguments: { city: 'Oslo' } }] });
      const stream = openai.chat.completions.stream(
        withHerokuTools({ model: 'claude-4-sonnet', messages: ask, tools: [lookup], stream: true }, [pythonTool]),
      );
      const final = await stream.finalChatCompletion();
      expect(final.choices[0]).toMatchObject({
        finish_reason: 'tool_calls',
        message: { tool_calls: [{ function: { name: 'lookup', arguments: '{"city":"Oslo"}' } }] },
      });
      expect(model.requests).toHaveLength(1);
    });

    it.each(['claude', 'anthropic'] as const)(
      'takes names as Heroku shows them (mcp-everything/echo) both ways, with the %s resource',
      async (resource) => {
        const client = resource === 'claude' ? openai : anthropic;
        const key = await hub.key(resource);
        const modelId = resource === 'claude' ? 'claude-4-sonnet' : 'claude-sonnet-4-5';
        const echo = { type: 'mcp', name: 'mcp-everything/echo' };
        model.play(
          { tool_calls: [{ name: 'mcp-everything/echo', arguments: { message: 'Heroku Rocks' } }] },
          { content: 'Echoed.' },
        );
        const { messages } = await frames(
          await agent(hub, key, {
            model: modelId,
            messages: [{ role: 'user', content: 'echo it' }],
            tools: [echo],
          }),
        );
        const [assistantTurn, toolTurn] = [messages[0]!.choices[0]!.message, messages[1]!.choices[0]!.message];
        expect(assistantTurn.tool_calls![0]!.function.name).toBe('mcp-everything/echo');
        expect(toolTurn).toMatchObject({ role: 'tool', name: 'mcp-everything/echo' });

        // The frames go back as history, exactly as they came; the model sees its own names.
        model.play(
          { tool_calls: [{ name: 'mcp-everything/echo', arguments: { message: 'again' } }] },
          { content: 'Echoed twice.' },
        );
        const history = [
          { role: 'user', content: 'echo it' },
          assistantTurn,
          toolTurn,
          { role: 'user', content: 'once more' },
        ];
        const completion = await client.chat.completions.create(
          withHerokuTools({ model: modelId, messages: history as never }, [echo]),
        );
        expect(completion.choices[0]!.message.content).toBe('Echoed twice.');
        const sent = JSON.stringify(model.requests[0]!.body);
        expect(sent).toContain('"name":"mcp-everything_echo"');
        expect(sent).not.toContain('"name":"mcp-everything/echo"');
        expect(JSON.stringify(model.requests[1]!.body)).toContain('Echo: again');
      },
    );

    it('refuses a bad heroku field with a 400 that names it, before any model call', async () => {
      model.play({ content: 'never asked' });
      const cases: [unknown[], RegExp][] = [
        [[{ type: 'magic', name: 'x' }], /^heroku\.tools\.0\.type: /],
        [[{ type: 'heroku_tool', name: 'web_search' }], /unknown heroku_tool "web_search"/],
        [
          [{ type: 'heroku_tool', name: 'code_exec_python', runtime_params: { ttl_seconds: 600 } }],
          /^heroku\.tools\.0\.runtime_params\.ttl_seconds: at most 300/,
        ],
      ];
      for (const [tools, message] of cases) {
        await expect(
          openai.chat.completions.create(withHerokuTools({ model: 'claude-4-sonnet', messages: ask }, tools)),
        ).rejects.toMatchObject({
          status: 400,
          error: { message: expect.stringMatching(message) },
        });
      }
      expect(model.requests).toHaveLength(0);
    });
  },
);
