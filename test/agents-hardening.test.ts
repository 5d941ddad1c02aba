import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agent, createResource, frames, herokuRocks, toolResult, type Frame } from './agents-harness.js';
import { containersOf, dockerEngine, homeLabel } from './docker.js';
import { cleanupTempDirs, cli, freshHome, makeFixtureApp } from './helpers.js';
import { serveHub, type ServedHub } from './hub-process.js';
import { ScriptedModel } from './model-server.js';

const docker = await dockerEngine();

interface CallRecord {
  tool: string;
  app_name: string;
  process_type: string;
  resource: string | null;
  status: string;
  container_id: string | null;
  started_at: string;
  timings: { queued_ms: number; start_ms: number; init_ms: number; run_ms: number; total_ms: number } | null;
}

const secret = 'hunter2-config-var';
const dyno = (target: string) => ({
  type: 'heroku_tool',
  name: 'dyno_run_command',
  runtime_params: {
    target_app_name: target,
    tool_params: { cmd: 'echo "secret=$SECRET"', description: 'Prints the secret' },
  },
});

/**
 * Issue 10's H1 and M5 as attacks: a key reaching another resource's app through a built-in tool,
 * or a stopped one; built-ins that skip the limiter and the call log; per-request limits past the
 * hub's.
 */
describe.skipIf(!docker)('built-in tools: what a key reaches, the limiter, the call log and the request caps', () => {
  let model: ScriptedModel;
  let hub: ServedHub;
  let home: string;
  let key: string;
  let strangerKey: string;
  const calls = async () => JSON.parse((await cli(home, ['calls', '--json', '--limit', '200'])).stdout) as CallRecord[];

  beforeAll(async () => {
    model = await new ScriptedModel().start();
    home = freshHome();
    await createResource(home, model);
    await createResource(home, model, 'stranger', 'stranger-model');
    const victim = makeFixtureApp('mcp-probe: node probe.mjs\n', ['probe.mjs'], {}, 'victim');
    expect((await cli(home, ['apps:add', victim, '--attach', 'claude'])).stderr).not.toContain('procdock:');
    expect((await cli(home, ['config:set', 'victim', `SECRET=${secret}`])).code).toBe(0);
    hub = await serveHub(home);
    key = await hub.key('claude');
    strangerKey = await hub.key('stranger');
  }, 240_000);

  afterAll(async () => {
    await hub?.stop();
    await model?.stop();
    cleanupTempDirs();
  });

  it('H1: a key whose resource has no app attached cannot reach another resource’s app, nor learn that it exists', async () => {
    model.play({ tool_calls: [{ name: 'dyno_run_command', arguments: {} }] }, { content: 'Leaked.' });
    const before = await calls();
    for (const [target, tool] of [
      ['victim', dyno('victim')],
      ['no-such-app', dyno('no-such-app')],
      ['victim', { type: 'heroku_tool', name: 'code_exec_node', runtime_params: { target_app_name: 'victim' } }],
    ] as const) {
      const response = await agent(hub, strangerKey, {
        model: 'stranger-model',
        messages: [{ role: 'user', content: 'print the secret' }],
        tools: [tool],
      });
      expect(response.status).toBe(403);
      const body = await response.text();
      expect(body).not.toContain(secret);
      expect(JSON.parse(body).error.message).toBe(
        `app "${target}" is not attached to resource "stranger": run procdock attach ${target} --resource stranger`,
      );
    }
    expect(model.requests).toHaveLength(0);
    expect(await calls()).toEqual(before);
  });

  it('H1: dyno_run_command runs in the attached app with its config vars, and is in the call log like every call', async () => {
    model.play({ tool_calls: [{ name: 'dyno_run_command', arguments: {} }] }, { content: 'Printed.' });
    const { messages } = await frames(
      await agent(hub, key, {
        model: 'claude-4-sonnet',
        messages: [{ role: 'user', content: 'print it' }],
        tools: [dyno('victim')],
      }),
    );
    expect(JSON.parse(toolResult(messages[1]).content[0]!.text)).toEqual({
      returncode: 0,
      stdout: `secret=${secret}`,
      stderr: '',
    });
    const [call] = await calls();
    expect(call).toMatchObject({
      tool: 'dyno_run_command',
      app_name: 'victim',
      process_type: 'run',
      resource: 'claude',
      status: 'ok',
      container_id: expect.any(String),
    });
    expect(call!.timings!.total_ms).toBeGreaterThan(0);
  });

  it('H1: only started apps: a stopped one is refused before the run, then runs again once started', async () => {
    expect((await cli(home, ['servers:stop', 'victim', 'mcp-probe'])).code).toBe(0);
    model.play({ tool_calls: [{ name: 'dyno_run_command', arguments: {} }] }, { content: 'Ran.' });
    const stopped = await agent(hub, key, {
      model: 'claude-4-sonnet',
      messages: [{ role: 'user', content: 'run' }],
      tools: [dyno('victim')],
    });
    expect(stopped.status).toBe(503);
    expect(((await stopped.json()) as { error: { message: string } }).error.message).toMatch(
      /^app "victim" is stopped: start one of its servers first/,
    );
    expect(model.requests).toHaveLength(0);
    expect((await cli(home, ['servers:start', 'victim', 'mcp-probe'])).code).toBe(0);
    const { messages } = await frames(
      await agent(hub, key, {
        model: 'claude-4-sonnet',
        messages: [{ role: 'user', content: 'run' }],
        tools: [dyno('victim')],
      }),
    );
    expect(toolResult(messages[1]).isError).toBe(false);
  });

  it('M5: per-request ttl_seconds and max_calls are capped by the hub’s limits', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [
        { type: 'heroku_tool', name: 'code_exec_node', runtime_params: { ttl_seconds: 3600 } },
        /^tools\.0\.runtime_params\.ttl_seconds: at most 300 \(the hub's limit\)$/,
      ],
      [
        { type: 'heroku_tool', name: 'code_exec_node', runtime_params: { ttl_seconds: 300 } },
        /^tools\.0\.runtime_params\.ttl_seconds: at most 120 for a heroku_tool/,
      ],
      [
        { type: 'heroku_tool', name: 'code_exec_node', runtime_params: { max_calls: 100 } },
        /^tools\.0\.runtime_params\.max_calls: at most 10 \(the hub's limit\)$/,
      ],
      [
        { type: 'mcp', name: 'mcp-probe/slow', runtime_params: { ttl_seconds: 3600, max_calls: 100 } },
        /^tools\.0\.runtime_params\.ttl_seconds: at most 300/,
      ],
    ];
    for (const [tool, message] of cases) {
      const response = await agent(hub, key, {
        model: 'claude-4-sonnet',
        messages: [{ role: 'user', content: 'x' }],
        tools: [tool],
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
  });

  it('M5: 12 concurrent runs of code_exec_node share the hub’s limit of 8 calls at once, each in the call log', async () => {
    const runs = 12;
    const models = await Promise.all(Array.from({ length: runs }, () => new ScriptedModel().start()));
    try {
      const keys: string[] = [];
      for (const [i, runModel] of models.entries()) {
        await createResource(home, runModel, `burst-${i}`, `burst-model-${i}`);
        keys.push(await hub.key(`burst-${i}`));
        const code = `setTimeout(() => console.log(require('crypto').createHash('sha256').update('Heroku Rocks').digest('hex')), 4000)`;
        runModel.play({ tool_calls: [{ name: 'code_exec_node', arguments: { code } }] }, { content: 'Done.' });
      }
      const label = await homeLabel(home);
      let most = 0;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          // Built-ins' containers only: the victim's warm pool keeps one of its own.
          const builtins = (await containersOf(docker!, label)).filter(
            (c) => c.Labels['procdock.app'] === 'heroku.tools',
          );
          most = Math.max(most, builtins.filter((c) => c.State === 'running').length);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      })();
      const results = await Promise.all(
        keys.map(async (runKey, i) => {
          const body = {
            model: `burst-model-${i}`,
            messages: [{ role: 'user', content: 'hash' }],
            tools: [{ type: 'heroku_tool', name: 'code_exec_node' }],
          };
          return frames(await agent(hub, runKey, body));
        }),
      );
      sampling = false;
      await sampler;
      for (const { messages } of results) {
        const tool = messages.find((m: Frame) => m.object === 'tool.completion');
        expect(JSON.parse(toolResult(tool).content[0]!.text)).toMatchObject({ returncode: 0, stdout: herokuRocks });
      }
      const burst = (await calls()).filter((c) => c.resource?.startsWith('burst-'));
      expect(burst).toHaveLength(runs);
      expect(burst.every((c) => c.tool === 'code_exec_node' && c.status === 'ok' && c.container_id)).toBe(true);
      expect(mostAtOnce(burst)).toBeLessThanOrEqual(8);
      expect(most).toBeGreaterThan(0);
      expect(most).toBeLessThanOrEqual(8);
    } finally {
      await Promise.all(models.map((m) => m.stop()));
    }
  }, 180_000);
});

/** The most calls whose containers ran at the same moment, from the call log's own timings. */
function mostAtOnce(records: CallRecord[]): number {
  const edges = records.flatMap((c) => {
    const t0 = Date.parse(c.started_at);
    const t = c.timings!;
    // The log places a call only to within a few ms: started_at is whole ms of the wall clock, read
    // a moment after the phases' clock starts, and one call's slot passes to the next in the same
    // tick. Each run here lasts 4 s, so a ninth at once would overlap by seconds, not by this slack.
    const slackMs = 50;
    const begin = t0 + t.queued_ms;
    const end = begin + t.start_ms + t.init_ms + t.run_ms - slackMs;
    return [
      { at: begin, step: 1 },
      { at: end, step: -1 },
    ];
  });
  edges.sort((a, b) => a.at - b.at || a.step - b.step);
  let running = 0;
  let most = 0;
  for (const edge of edges) most = Math.max(most, (running += edge.step));
  return most;
}
