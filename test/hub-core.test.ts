import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppView, CallRecordView, ServerView } from '../src/shared/api.js';
import { upstreamCapabilities } from '../src/upstream/upstream-session.js';
import { dockerEngine } from './docker.js';
import { cleanupTempDirs, cli, dumpCatalog, freshHome, makeFixtureApp, makeNpmApp, root, writeApp } from './helpers.js';

const docker = await dockerEngine();
const paged = (name = 'app') => makeFixtureApp('mcp-paged: node paged.mjs\n', ['paged.mjs'], {}, name);

/** What a server lists when asked directly, with the same client capabilities the hub declares. */
async function listDirectly(command: string, args: string[]): Promise<Tool[]> {
  const client = new Client({ name: 'direct', version: '1' }, { capabilities: upstreamCapabilities });
  await client.connect(new StdioClientTransport({ command, args, stderr: 'ignore' }));
  try {
    return (await client.listTools()).tools;
  } finally {
    await client.close();
  }
}

const bin = (name: string) => join(root, 'node_modules', '.bin', name);

describe.skipIf(!docker)('registering real MCP servers from npm, in Docker', () => {
  let home: string;
  let servers: ServerView[];

  beforeAll(async () => {
    home = freshHome();
    const app = makeNpmApp(
      '# two servers from npm\nweb: node web.js\nmcp-everything: mcp-server-everything stdio\nmcp-memory: mcp-server-memory\n',
      ['@modelcontextprotocol/server-everything', '@modelcontextprotocol/server-memory'],
    );
    const added = await cli(home, ['apps:add', app, '--name', 'npm-servers', '--json']);
    expect(added.stderr).not.toContain('procdock:');
    expect(added.code).toBe(0);
    const view = JSON.parse(added.stdout) as AppView;
    expect(view.skipped).toEqual([{ name: 'web', command: 'node web.js', line: 2 }]);
    expect(view.resources).toEqual(['default']);
    const listed = await cli(home, ['servers', '--json']);
    servers = JSON.parse(listed.stdout) as ServerView[];
  });
  afterAll(cleanupTempDirs);

  it.each([
    ['mcp-everything', 'mcp-server-everything', ['stdio']],
    ['mcp-memory', 'mcp-server-memory', []],
  ])('%s: tools, schemas and annotations equal what the server lists itself', async (processType, command, args) => {
    const server = servers.find((s) => s.process_type === processType);
    expect(server).toMatchObject({ namespace: processType, server_status: 'registered', primitives_status: 'synced', app_name: 'npm-servers' });
    const direct = await listDirectly(bin(command), args);
    expect(direct.length).toBeGreaterThan(3);
    expect(server?.tools.map((t) => t.name)).toEqual(direct.map((t) => t.name));
    server?.tools.forEach((tool, i) => {
      const original = direct[i]!;
      expect(tool.namespaced_name).toBe(`${processType}/${original.name}`);
      expect(tool.description).toEqual(original.description);
      expect(tool.input_schema).toEqual(original.inputSchema);
      expect(tool.annotations).toEqual(original.annotations ?? {});
      expect(tool.output_schema).toEqual(original.outputSchema);
    });
    expect(server?.tools.some((t) => Object.keys(t.annotations).length > 0)).toBe(true);
  });

  it('runs a tool of server-everything with procdock call', async () => {
    const run = await cli(home, ['call', 'echo', '--args', '{"message":"hello hub"}']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ content: [{ type: 'text', text: 'Echo: hello hub' }] });
    expect(run.stderr).toMatch(/npm-servers\/mcp-everything in docker sandbox( \(warm\))?: total \d+/);
  });

  it('gives config vars to the server: server-memory writes its graph where MEMORY_FILE_PATH says', async () => {
    expect((await cli(home, ['config:set', 'npm-servers', 'MEMORY_FILE_PATH=/tmp/graph.jsonl'])).code).toBe(0);
    const create = await cli(home, [
      'call',
      'mcp-memory/create_entities',
      '--args',
      JSON.stringify({ entities: [{ name: 'Procdock', entityType: 'project', observations: ['runs MCP servers'] }] }),
    ]);
    expect(create.code, create.stdout).toBe(0);
    expect(create.stdout).toContain('runs MCP servers');
  });

  it('records every call with its timing breakdown', async () => {
    const calls = JSON.parse((await cli(home, ['calls', '--json', '--limit', '10'])).stdout) as CallRecordView[];
    expect(calls.map((c) => c.tool)).toEqual(['create_entities', 'echo']);
    for (const call of calls) {
      expect(call).toMatchObject({ status: 'ok', is_error: false, sandbox: 'docker', app_name: 'npm-servers' });
      expect(call.container_id).toMatch(/^[0-9a-f]{64}$/);
      const t = call.timings!;
      expect(t.total_ms).toBeGreaterThan(0);
      expect(t.queued_ms + t.start_ms + t.init_ms + t.run_ms).toBeLessThanOrEqual(t.total_ms + 0.1);
      expect(t.init_ms).toBeGreaterThan(0);
    }
    const human = await cli(home, ['calls']);
    expect(human.stdout).toMatch(/create_entities\s+npm-servers\/mcp-memory\s+ok/);
    // A call's wait (for approval, or a free slot) is a column of its own, so the phases add up.
    expect(human.stdout.split('\n')[0]).toMatch(/TOTAL\s+QUEUED\s+START\s+INIT\s+RUN/);
  });

  it('prints the GET /v1/mcp/servers array for one resource', async () => {
    const none = await cli(home, ['models:create', 'other', '--provider', 'anthropic', '--model', 'claude-sonnet-4-5']);
    expect(none.code).toBe(0);
    expect(JSON.parse((await cli(home, ['servers', '--resource', 'other', '--json'])).stdout)).toEqual([]);
    expect(JSON.parse((await cli(home, ['servers', '--resource', 'default', '--json'])).stdout)).toHaveLength(2);
  });
});

describe.skipIf(!docker)('tool results and broken servers, in Docker', () => {
  let home: string;
  beforeAll(async () => {
    home = freshHome();
    expect((await cli(home, ['apps:add', paged(), '--name', 'paged'])).code).toBe(0);
  });
  afterAll(cleanupTempDirs);

  it('reads tools/list over every page, in order', async () => {
    const [server] = JSON.parse((await cli(home, ['servers', '--json'])).stdout) as ServerView[];
    expect(server?.tools.map((t) => t.name)).toEqual(['alpha', 'beta', 'fail', 'crash', 'env']);
    expect(server?.tools[0]?.annotations).toEqual({ readOnlyHint: true, title: 'Alpha' });
    expect(server?.tools[4]?.output_schema).toEqual({ type: 'object', properties: { value: { type: 'string' } } });
  });

  it('exits 1 and prints the result when the tool reports isError', async () => {
    const run = await cli(home, ['call', 'fail']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual({ isError: true, content: [{ type: 'text', text: 'it failed on purpose' }] });
  });

  it('turns a server that crashes mid-call into an isError result that says so', async () => {
    const run = await cli(home, ['call', 'crash']);
    expect(run.code).toBe(1);
    const text = (JSON.parse(run.stdout) as { content: { text: string }[] }).content[0]?.text;
    expect(text).toMatch(/paged\/mcp-paged: tools\/call failed: the server exited with code 7/);
    expect(text).toContain('about to crash');
    const [call] = JSON.parse((await cli(home, ['calls', '--json', '--limit', '1'])).stdout) as CallRecordView[];
    expect(call).toMatchObject({ tool: 'crash', status: 'error', is_error: true, exit_code: 7 });
  });

  it('gives the server no host environment beyond the basics', async () => {
    const run = await cli(home, ['call', 'env', '--args', '{"text":"SECRET_OF_THE_HOST"}'], { SECRET_OF_THE_HOST: 'leaked' });
    expect(JSON.parse(run.stdout).structuredContent).toEqual({ value: '(unset)' });
  });

  it('refuses bad --args with one clear line', async () => {
    const run = await cli(home, ['call', 'alpha', '--args', '{nope']);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toMatch(/^procdock: --args is not JSON/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it.each([
    ['exits before initialize', 'exit-early.mjs', /exited with code 3.*DATABASE_URL is not set/],
    ['prints garbage on stdout', 'garbage.mjs', /non-JSON to stdout \("Server listening on port 3000"\)/],
  ])('marks a server that %s as error with the reason', async (_case, file, reason) => {
    const app = makeFixtureApp(`mcp-broken: node ${file}\n`, [file], {}, file.replace('.mjs', ''));
    const name = file.replace('.mjs', '');
    const added = await cli(home, ['apps:add', app, '--name', name, '--no-attach', '--json']);
    // Registered, but a server that cannot sync makes the command fail, so scripts notice.
    expect(added.code).toBe(1);
    expect(JSON.parse(added.stdout)).toMatchObject({ name, servers: [{ primitives_status: 'error', primitives_error: expect.stringMatching(reason) }] });
    // One line on stderr says why, as for any failure.
    expect(added.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^procdock: ${name}/mcp-broken: (?!${name}/mcp-broken: ).*${reason.source}`))]);
    const servers = JSON.parse((await cli(home, ['servers', '--json'])).stdout) as ServerView[];
    const broken = servers.find((s) => s.app_name === name);
    expect(broken?.primitives_status).toBe('error');
    expect(broken?.primitives_error).toMatch(reason);
    const resync = await cli(home, ['sync', name]);
    expect(resync.code).toBe(1);
    // Starting it says it still cannot serve, and why.
    const started = await cli(home, ['servers:start', name, 'mcp-broken']);
    expect(started.code).toBe(1);
    expect(started.stderr).toMatch(new RegExp(`^procdock: ${name}/mcp-broken is started, but no call can run until it syncs: .*${reason.source}.*Fix it, then: procdock sync ${name}\n$`));
  });
});

describe.skipIf(!docker)('refusals name the problem and change nothing', () => {
  let home: string;
  let good: string;
  beforeAll(async () => {
    home = freshHome();
    good = paged('good');
    expect((await cli(home, ['apps:add', good, '--name', 'first'])).code).toBe(0);
  });
  afterAll(cleanupTempDirs);

  async function refused(args: string[], message: RegExp | string): Promise<void> {
    const before = dumpCatalog(home);
    const run = await cli(home, args);
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split('\n').filter((l) => l.startsWith('procdock:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(dumpCatalog(home)).toEqual(before);
  }

  it('no folder', () => refused(['apps:add', '/nonexistent/app'], 'procdock: /nonexistent/app: no such folder'));

  it('no Procfile', async () => {
    const dir = writeApp({ 'package.json': '{}' });
    await refused(['apps:add', dir], `${join(dir, 'Procfile')}: no Procfile in ${dir}`);
  });

  it('no mcp* process', async () => {
    const dir = writeApp({ Procfile: 'web: node web.js\nworker: node w.js\n' });
    await refused(['apps:add', dir], /Procfile: no MCP server: .*found: web, worker/);
  });

  it('a malformed line', async () => {
    const dir = writeApp({ Procfile: 'mcp: node s.js\n\nnot a process line\n' });
    await refused(['apps:add', dir], /Procfile:3: malformed line "not a process line"/);
  });

  it('a duplicate process name', async () => {
    const dir = writeApp({ Procfile: 'mcp: node a.js\r\nmcp: node b.js\r\n' });
    await refused(['apps:add', dir], /Procfile:2: process "mcp" is already defined on line 1/);
  });

  it('an app name already taken', async () => {
    const dir = writeApp({ Procfile: 'mcp-other: node a.js\n' });
    await refused(['apps:add', dir, '--name', 'first'], /the app name "first" is already taken \(by .*good\)/);
  });

  it('a folder registered twice', () => refused(['apps:add', good, '--name', 'again'], /already registered as app "first"/));

  it('the same folder added again, as after fixing an add that failed: says what re-reads it', () =>
    refused(['apps:add', good, '--name', 'first'], /is already registered as app "first": to re-read and rebuild it, run procdock apps:build first$/));

  it('a process name that clashes in the resource, on add and on attach', async () => {
    const dir = paged('second');
    const message = /process "mcp-paged" is in both app "first" and app "second".*resource "default"/;
    await refused(['apps:add', dir, '--name', 'second'], message);
    expect((await cli(home, ['apps:add', dir, '--name', 'second', '--no-attach'])).code).toBe(0);
    await refused(['attach', 'second'], message);
  });

  it('unknown apps, resources and bad names', async () => {
    await refused(['attach', 'ghost'], 'no app named "ghost"');
    await refused(['attach', 'first', '--resource', 'ghost'], 'no model resource named "ghost"');
    await refused(['config:set', 'first', 'NOT VALID=1'], /must be a shell variable name/);
    await refused(['apps:add', good, '--name', 'Bad_Name'], /name: must start with a letter/);
    await refused(['models:remove', 'default'], 'the default resource cannot be removed');
    await refused(['call', 'nothing-here'], 'no tool "nothing-here" in resource "default"');
  });
});

describe.skipIf(!docker)('attachments, config vars and model resources', () => {
  afterAll(cleanupTempDirs);

  it('attaches, detaches and keeps config vars sealed at rest', async () => {
    const home = freshHome();
    expect((await cli(home, ['apps:add', paged(), '--name', 'cfg', '--no-attach'])).code).toBe(0);
    expect((await cli(home, ['call', 'alpha'])).stderr).toContain('no app is attached');
    expect((await cli(home, ['attach', 'cfg'])).stdout).toContain('Attached cfg to default.');
    expect(JSON.parse((await cli(home, ['call', 'alpha', '--args', '{"text":"x"}'])).stdout).content[0].text).toBe('alpha: x');

    await cli(home, ['config:set', 'cfg', 'GREETING=hello=world', 'TOKEN=s3cr3t-value']);
    expect((await cli(home, ['config', 'cfg'])).stdout).toBe('GREETING=hello=world\nTOKEN=s3cr3t-value\n');
    const rawDb = ['procdock.db', 'procdock.db-wal']
      .filter((file) => existsSync(join(home, file)))
      .map((file) => readFileSync(join(home, file)).toString('latin1'))
      .join('');
    expect(rawDb).not.toContain('s3cr3t-value');
    const env = await cli(home, ['call', 'env', '--args', '{"text":"TOKEN"}']);
    expect(JSON.parse(env.stdout).structuredContent).toEqual({ value: 's3cr3t-value' });
    expect(JSON.parse((await cli(home, ['config:unset', 'cfg', 'TOKEN', '--json'])).stdout)).toEqual({ app: 'cfg', vars: { GREETING: 'hello=world' } });

    expect((await cli(home, ['detach', 'cfg'])).code).toBe(0);
    expect((await cli(home, ['detach', 'cfg'])).stderr).toContain('app "cfg" is not attached to resource "default"');
    expect((await cli(home, ['apps:remove', 'cfg'])).code).toBe(0);
    expect(JSON.parse((await cli(home, ['apps', '--json'])).stdout)).toEqual([]);
  });

  it('creates model resources with their own keys and never returns API keys', async () => {
    const home = freshHome();
    const created = await cli(home, ['models:create', 'local', '--provider', 'openai', '--model', 'llama3.2', '--base-url', 'http://127.0.0.1:11434/v1', '--json']);
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ name: 'local', provider: 'openai', model_id: 'llama3.2', has_api_key: false });
    const models = JSON.parse((await cli(home, ['models', '--json'])).stdout) as { name: string }[];
    expect(models.map((m) => m.name)).toEqual(['default', 'local']);
    expect(JSON.stringify(models)).not.toMatch(/inf-/);
    const a = (await cli(home, ['key', '--resource', 'local'])).stdout;
    const b = (await cli(home, ['key'])).stdout;
    expect(a).toMatch(/^export INFERENCE_URL=http:\/\/127\.0\.0\.1:7420 INFERENCE_KEY=inf-[0-9a-f-]{36} INFERENCE_MODEL_ID=llama3\.2\n$/);
    expect(a.match(/inf-\S+/)?.[0]).not.toBe(b.match(/inf-\S+/)?.[0]);
    expect((await cli(home, ['models:create', 'local', '--provider', 'openai', '--model', 'x'])).stderr).toContain('already exists');
    expect((await cli(home, ['models:remove', 'local'])).code).toBe(0);
  });
});
