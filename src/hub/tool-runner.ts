import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { CallToolResult, Progress } from '@modelcontextprotocol/sdk/types.js';
import type { Catalog } from '../catalog/catalog.js';
import type { ServerRow } from '../catalog/servers-repository.js';
import type { Sandbox, SandboxProcess } from '../sandbox/sandbox.js';
import type { CallTimings } from '../shared/api.js';
import { AppError } from '../shared/errors.js';
import type { CallOutcome } from '../shared/operations.js';
import { resolveToolName } from '../toolkit/tool-names.js';
import { capResult } from '../upstream/result-cap.js';
import type { CallRelay, UpstreamSession } from '../upstream/upstream-session.js';
import { launchOf, openSession } from './launch.js';
import type { Limiter } from './limiter.js';
import type { WarmPools } from './warm-pools.js';

export interface CallRequest {
  tool: string;
  args: Record<string, unknown>;
  resourceName: string;
  /** Overrides the server's `ttl_seconds`. */
  ttlMs?: number;
  signal?: AbortSignal;
  /** Receives the server's progress notifications for this call. */
  onProgress?: (progress: Progress) => void;
  /** Answers the server's own requests (sampling, elicitation, roots) and takes its log messages. */
  relay?: CallRelay;
  /** What `tool` names, when the caller resolved it already (the toolkit, from its prepared lists). */
  resolved?: ResolvedTool;
}

/** The server and tool a request names, within one model resource. */
export interface ResolvedTool {
  server: ServerRow;
  tool: string;
}

/**
 * Runs one tool call in a fresh sandboxed server: launch, `initialize`, `tools/call`, dispose. A
 * failing tool, a crashed or hung server, all come back as a `CallToolResult` with `isError`, and
 * every call is recorded with its timings.
 */
export class ToolRunner {
  private readonly cleanups = new Set<Promise<unknown>>();

  constructor(
    private readonly catalog: Catalog,
    private readonly sandbox: () => Sandbox,
    private readonly limiter: Limiter,
    private readonly initTimeoutMs: number,
    private readonly changed: () => void,
    private readonly pools?: WarmPools,
  ) {}

  /** The tool a name stands for among the resource's started servers, as its toolkit names them. */
  resolve(resourceName: string, wanted: string): ResolvedTool {
    const resource = this.catalog.models.findByName(resourceName);
    if (!resource) throw new AppError('not_found', `no model resource named "${resourceName}": see procdock models`);
    const servers = this.catalog.servers.listByResource(resource.id);
    const toolsOf = (rows: ServerRow[]) =>
      rows.flatMap((server) =>
        this.catalog.servers.tools(server.id).map((tool) => ({ namespace: server.process_type, name: tool.name, server })),
      );
    const found = resolveToolName(toolsOf(servers.filter((s) => s.server_status === 'registered')), wanted);
    if (found && 'ambiguous' in found) {
      throw new AppError('conflict', `"${wanted}" is offered by several servers: name one of ${found.ambiguous.join(', ')}`);
    }
    if (found) return { server: found.tool.server, tool: found.tool.name };
    const stopped = resolveToolName(toolsOf(servers.filter((s) => s.server_status === 'disconnected')), wanted);
    if (stopped && 'tool' in stopped) {
      const { server } = stopped.tool;
      throw new AppError('unavailable', `server ${server.app_name}/${server.process_type} is stopped: start it first`);
    }
    const hint =
      servers.length === 0 ? `no app is attached to it: run procdock attach APP --resource ${resource.name}` : 'see procdock servers';
    throw new AppError('not_found', `no tool "${wanted}" in resource "${resource.name}": ${hint}`);
  }

  async call(request: CallRequest): Promise<CallOutcome> {
    const { server, tool } = request.resolved ?? this.resolve(request.resourceName, request.tool);
    const id = randomUUID();
    const sandbox = this.sandbox();
    this.catalog.calls.start({
      id,
      resource_name: request.resourceName,
      server_id: server.id,
      app_name: server.app_name,
      process_type: server.process_type,
      tool,
      arguments: request.args,
      sandbox: sandbox.kind,
    });
    this.changed();
    const clock = new CallClock();
    const run = await this.limiter.run(() => {
      clock.mark('queued');
      return this.execute(server, tool, id, request, clock);
    });
    this.catalog.calls.finish(id, {
      warm: run.warm,
      result: run.result,
      error: run.error,
      is_error: run.result.isError === true,
      container_id: run.proc?.id ?? null,
      exit_code: null,
      timings: clock.timings(),
    });
    this.changed();
    const { proc } = run;
    // Ends the server after this turn, once the result is on its way: removing a container takes the
    // engine's CPU, which the answer should not wait for.
    if (proc) this.track(nextTurn().then(() => proc.dispose()).then((exit) => this.catalog.calls.setExit(id, exit.code)));
    const call = this.catalog.calls.find(id);
    if (!call) throw new Error(`call ${id} vanished`);
    return { result: run.result as CallOutcome['result'], call };
  }

  /**
   * Runs one request that is not a tool call (a resource read, a prompt, a completion) on a server
   * of its own, warm or fresh, within the server's ttl. Failures throw, saying what happened.
   */
  async onServer<T>(server: ServerRow, step: string, work: (session: UpstreamSession, signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const ttlMs = server.settings.ttl_seconds * 1000;
    return this.limiter.run(() =>
      this.withDeadline(ttlMs, signal, async (deadline) => {
        let proc: SandboxProcess | undefined;
        try {
          const lease = await this.acquire(server, undefined, deadline, ttlMs, (launched) => (proc = launched));
          return await work(lease.session, deadline);
        } catch (error) {
          if (deadline.aborted && !signal?.aborted) {
            throw new AppError('upstream', `${server.app_name}/${server.process_type}: ${step} ran out of time after ${ttlMs / 1000} s`);
          }
          throw error;
        } finally {
          if (proc) this.track(proc.dispose());
        }
      }),
    );
  }

  private async execute(
    server: ServerRow,
    tool: string,
    callId: string,
    request: CallRequest,
    clock: CallClock,
  ): Promise<{ result: CallToolResult; error: string | null; warm: boolean; proc?: SandboxProcess }> {
    const ttlMs = request.ttlMs ?? server.settings.ttl_seconds * 1000;
    let proc: SandboxProcess | undefined;
    let warm = false;
    return this.withDeadline(ttlMs, request.signal, async (signal) => {
      try {
        const lease = await this.acquire(server, callId, signal, ttlMs, (launched) => {
          proc = launched;
          clock.mark('start');
        });
        ({ proc, warm } = lease);
        lease.session.relay = request.relay;
        clock.mark('init');
        const result = await lease.session.callTool(tool, request.args, {
          timeout: ttlMs,
          signal,
          ...(request.onProgress ? { onprogress: request.onProgress } : {}),
        });
        clock.mark('run');
        void lease.session.close();
        return { result: capResult(result), error: null, warm, proc };
      } catch (error) {
        clock.markMissing();
        const message =
          signal.aborted && !request.signal?.aborted
            ? `${server.app_name}/${server.process_type}: ${tool} ran out of time: killed after ${ttlMs / 1000} s (ttl_seconds)`
            : error instanceof Error
              ? error.message
              : String(error);
        const result: CallToolResult = { isError: true, content: [{ type: 'text', text: message }] };
        return { result, error: message, warm, ...(proc ? { proc } : {}) };
      }
    });
  }

  /** A session on the server: a warm one if its pool has one, else a fresh launch and handshake. */
  private async acquire(
    server: ServerRow,
    callId: string | undefined,
    signal: AbortSignal,
    ttlMs: number,
    onLaunched: (proc: SandboxProcess) => void,
  ): Promise<{ session: UpstreamSession; proc: SandboxProcess; warm: boolean }> {
    const warm = this.pools?.take(server);
    if (warm) {
      onLaunched(warm.proc);
      return { ...warm, warm: true };
    }
    const proc = await this.sandbox().launch(launchOf(this.catalog, server, 'call', callId), signal);
    onLaunched(proc);
    const session = await openSession(proc, {
      label: `${server.app_name}/${server.process_type}`,
      initTimeoutMs: Math.min(this.initTimeoutMs, ttlMs),
      signal,
    });
    return { session, proc, warm: false };
  }

  /** Runs `work` with a signal that fires at the deadline or when `outer` does. */
  private async withDeadline<T>(ttlMs: number, outer: AbortSignal | undefined, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), ttlMs);
    try {
      return await work(outer ? AbortSignal.any([outer, deadline.signal]) : deadline.signal);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Waits for every server this runner started to be gone and its exit recorded. */
  async drain(): Promise<void> {
    while (this.cleanups.size > 0) await Promise.allSettled([...this.cleanups]);
  }

  private track(work: Promise<unknown>): void {
    const tracked = work.catch(() => undefined).finally(() => this.cleanups.delete(tracked));
    this.cleanups.add(tracked);
  }
}

/** Settles after the current turn of the event loop, when what it wrote has gone out. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Measures the phases of one call: queued, container start, server init, tool run, total. */
class CallClock {
  private readonly started = performance.now();
  private readonly marks = new Map<string, number>();

  mark(phase: 'queued' | 'start' | 'init' | 'run'): void {
    this.marks.set(phase, performance.now());
  }

  /** After a failure, phases that never happened take no time. */
  markMissing(): void {
    const now = performance.now();
    for (const phase of ['queued', 'start', 'init', 'run'] as const) if (!this.marks.has(phase)) this.marks.set(phase, now);
  }

  timings(): CallTimings {
    const at = (phase: string) => this.marks.get(phase) ?? this.started;
    const round = (ms: number) => Math.round(ms * 100) / 100;
    return {
      queued_ms: round(at('queued') - this.started),
      start_ms: round(at('start') - at('queued')),
      init_ms: round(at('init') - at('start')),
      run_ms: round(at('run') - at('init')),
      total_ms: round(performance.now() - this.started),
    };
  }
}
