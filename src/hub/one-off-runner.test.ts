import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultServerSettings } from '../apps/server-settings.js';
import { Catalog } from '../catalog/catalog.js';
import { ProcessSandbox } from '../sandbox/process-sandbox.js';
import { Limiter } from './limiter.js';
import { maxCommandOutput, OneOffRunner, type OneOffRequest } from './one-off-runner.js';

describe('OneOffRunner', () => {
  let dir: string;
  let catalog: Catalog;
  let runner: OneOffRunner;
  const sandbox = new ProcessSandbox();

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'procdock-one-off-'));
    catalog = Catalog.open(dir);
    runner = new OneOffRunner(
      catalog,
      () => sandbox,
      new Limiter(2),
      () => undefined,
    );
  });

  afterEach(async () => {
    await runner.drain();
    catalog.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const request = (command: string, extra: Partial<OneOffRequest> = {}): OneOffRequest => ({
    tool: 'code_exec_test',
    appName: 'heroku.tools',
    processType: 'heroku_tool',
    resourceName: 'default',
    args: { command },
    launch: {
      app: { name: 'heroku.tools', path: dir },
      image: null,
      processType: 'run',
      command,
      env: {},
      settings: defaultServerSettings,
      purpose: 'call',
    },
    ttlMs: 20_000,
    toResult: (output) => ({ content: [{ type: 'text', text: JSON.stringify(output) }] }),
    ...extra,
  });
  const output = (result: { content: unknown[] }) =>
    JSON.parse((result.content[0] as { text: string }).text) as { returncode: number; stdout: string; stderr: string };

  it('feeds stdin, collects the output and records the call with its exit', async () => {
    const { result, call } = await runner.run(
      request('read line; echo "got $line"; echo oops >&2; exit 3', { stdin: 'hello\n' }),
    );
    expect(output(result)).toEqual({ returncode: 3, stdout: 'got hello', stderr: 'oops' });
    expect(call).toMatchObject({
      tool: 'code_exec_test',
      app_name: 'heroku.tools',
      process_type: 'heroku_tool',
      resource: 'default',
      status: 'ok',
      sandbox: 'process',
    });
    await runner.drain();
    expect(catalog.calls.find(call.id)?.exit_code).toBe(3);
  });

  it('keeps at most 1 MiB of output and says it cut the rest', async () => {
    const { result } = await runner.run(request(`node -e "process.stdout.write('x'.repeat(${maxCommandOutput * 2}))"`));
    const { stdout } = output(result);
    expect(stdout.startsWith('x'.repeat(maxCommandOutput))).toBe(true);
    expect(stdout.endsWith('[procdock: cut at 1 MiB]')).toBe(true);
  });

  it('ends a command that runs past its ttl with returncode -2, as Heroku does', async () => {
    const { result } = await runner.run(request('sleep 30', { ttlMs: 300 }));
    expect(output(result)).toMatchObject({
      returncode: -2,
      stderr: 'Error: Execution timed out after 0.3 s (ttl_seconds)',
    });
  });

  it('records a cancelled run as an error', async () => {
    const controller = new AbortController();
    const running = runner.run(request('sleep 30', { signal: controller.signal }));
    setTimeout(() => controller.abort(), 100);
    const { result, call } = await running;
    expect(result).toMatchObject({ isError: true, content: [{ text: 'code_exec_test: the run was cancelled' }] });
    expect(call).toMatchObject({ status: 'error', error: 'the run was cancelled' });
  });

  it('ends a run whose caller went away while its container was starting', async () => {
    const controller = new AbortController();
    const starting = new ProcessSandbox();
    const launch = starting.launch.bind(starting);
    starting.launch = async (spec) => {
      const proc = await launch(spec);
      controller.abort();
      return proc;
    };
    const late = new OneOffRunner(
      catalog,
      () => starting,
      new Limiter(1),
      () => undefined,
    );
    const { call } = await late.run(request('sleep 30', { signal: controller.signal }));
    expect(call).toMatchObject({ status: 'error', error: 'the run was cancelled' });
    await late.drain();
  });
});
