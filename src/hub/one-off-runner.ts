import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Catalog } from '../catalog/catalog.js';
import type { Sandbox, SandboxProcess, ServerLaunch } from '../sandbox/sandbox.js';
import type { CallRecordView } from '../shared/api.js';
import { capResult } from '../upstream/result-cap.js';
import type { Limiter } from './limiter.js';
import { CallClock } from './tool-runner.js';

/** What a one-off command printed and how it ended; `returncode` is -2 when it ran out of time (Heroku's). */
export interface CommandOutput {
  returncode: number;
  stdout: string;
  stderr: string;
}

export interface OneOffRequest {
  /** How the call log names the run. */
  tool: string;
  appName: string;
  processType: string;
  resourceName: string;
  args: unknown;
  launch: ServerLaunch;
  /** Written to the command's stdin, which is then closed. */
  stdin?: string;
  ttlMs: number;
  signal?: AbortSignal;
  /** The tool's result, from what the command printed. */
  toResult(output: CommandOutput): CallToolResult;
}

/** Most bytes kept of one command's stdout, and of its stderr; the rest is dropped and said so. */
export const maxCommandOutput = 1024 * 1024;

/**
 * Runs built-in tools (Heroku's one-off dynos): a command to its end in a fresh sandbox, through the
 * same limiter and queue as every tool call, recorded in the call log with its timings.
 */
export class OneOffRunner {
  private readonly cleanups = new Set<Promise<unknown>>();

  constructor(
    private readonly catalog: Catalog,
    private readonly sandbox: () => Sandbox,
    private readonly limiter: Limiter,
    private readonly changed: () => void,
  ) {}

  async run(request: OneOffRequest): Promise<{ result: CallToolResult; call: CallRecordView }> {
    const id = randomUUID();
    // What the run's environment holds (an app's config vars) stays out of the call log.
    const secrets = Object.values(request.launch.env);
    // From the moment the log says it started: its timings then place it on the same clock.
    const clock = new CallClock();
    this.catalog.calls.start({
      secrets,
      id,
      resource_name: request.resourceName,
      server_id: null,
      app_name: request.appName,
      process_type: request.processType,
      tool: request.tool,
      arguments: request.args,
      sandbox: this.sandbox().kind,
    });
    this.changed();
    let proc: SandboxProcess | undefined;
    let result: CallToolResult;
    let error: string | null = null;
    try {
      result = await this.limiter.run(async () => {
        clock.mark('queued');
        request.signal?.throwIfAborted();
        proc = await this.sandbox().launch({ ...request.launch, callId: id }, request.signal);
        clock.mark('start');
        clock.mark('init');
        const output = await runToEnd(proc, request);
        clock.mark('run');
        return capResult(request.toResult(output));
      });
    } catch (failure) {
      clock.markMissing();
      error = request.signal?.aborted
        ? 'the run was cancelled'
        : failure instanceof Error
          ? failure.message
          : String(failure);
      result = { isError: true, content: [{ type: 'text', text: `${request.tool}: ${error}` }] };
    }
    this.catalog.calls.finish(id, {
      secrets,
      warm: false,
      result,
      error,
      is_error: result.isError === true,
      container_id: proc?.id ?? null,
      exit_code: null,
      timings: clock.timings(),
    });
    this.changed();
    const launched = proc as SandboxProcess | undefined;
    if (launched) this.track(launched.dispose().then((exit) => this.catalog.calls.setExit(id, exit.code)));
    const call = this.catalog.calls.find(id);
    if (!call) throw new Error(`call ${id} vanished`);
    return { result, call };
  }

  /** Waits for every container this runner started to be gone and its exit recorded. */
  async drain(): Promise<void> {
    while (this.cleanups.size > 0) await Promise.allSettled([...this.cleanups]);
  }

  private track(work: Promise<unknown>): void {
    const tracked = work.catch(() => undefined).finally(() => this.cleanups.delete(tracked));
    this.cleanups.add(tracked);
  }
}

/** Feeds stdin, collects bounded output and waits for the end: exit, the ttl, or the caller giving up. */
async function runToEnd(proc: SandboxProcess, request: OneOffRequest): Promise<CommandOutput> {
  const stdout = collect(proc.stdout);
  const stderr = collect(proc.stderr);
  proc.stdin.on('error', () => undefined);
  proc.stdin.end(request.stdin ?? '');
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const deadline = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), request.ttlMs)));
  const aborted = new Promise<'aborted'>((resolve) => {
    onAbort = () => resolve('aborted');
    // The caller may have gone while the container was starting: the event has passed by then.
    if (request.signal?.aborted) onAbort();
    else request.signal?.addEventListener('abort', onAbort, { once: true });
  });
  // Output still in flight when the process ends arrives before its streams end.
  const finished = Promise.all([proc.exited, stdout.ended, stderr.ended]).then(([exit]) => exit);
  try {
    const outcome = await Promise.race([finished, deadline, aborted]);
    if (outcome === 'aborted') throw new Error('the run was cancelled');
    if (outcome === 'timeout') {
      return {
        returncode: -2,
        stdout: stdout.text(),
        stderr: `Error: Execution timed out after ${request.ttlMs / 1000} s (ttl_seconds)`,
      };
    }
    return { returncode: outcome.code ?? -1, stdout: stdout.text(), stderr: stderr.text() };
  } finally {
    clearTimeout(timer);
    if (onAbort) request.signal?.removeEventListener('abort', onAbort);
  }
}

function collect(stream: Readable): { text(): string; ended: Promise<void> } {
  let text = '';
  let cut = false;
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    if (text.length + chunk.length > maxCommandOutput) cut = true;
    if (text.length < maxCommandOutput) text += chunk.slice(0, maxCommandOutput - text.length);
  });
  const ended = new Promise<void>((resolve) => {
    stream.once('end', resolve);
    stream.once('close', resolve);
  });
  return { text: () => text.trim() + (cut ? `\n[procdock: cut at ${maxCommandOutput / 1024 / 1024} MiB]` : ''), ended };
}
