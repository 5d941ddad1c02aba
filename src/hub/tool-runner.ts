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
import { UpstreamSession } from '../upstream/upstream-session.js';
import { launchOf } from './launch.js';
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
    const { server, tool } = this.resolve(request.resourceName, request.tool);
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
      return this.execute(sandbox, server, tool, id, request, clock);
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
    if (run.proc) this.track(run.proc.dispose().then((exit) => this.catalog.calls.setExit(id, exit.code)));
    const call = this.catalog.calls.find(id);
    if (!call) throw new Error(`call ${id} vanished`);
    return { result: run.result as CallOutcome['result'], call };
  }

  private async execute(
    sandbox: Sandbox,
    server: ServerRow,
    tool: string,
    callId: string,
    request: CallRequest,
    clock: CallClock,
  ): Promise<{ result: CallToolResult; error: string | null; warm: boolean; proc?: SandboxProcess }> {
    const warm = this.pools?.take(server);
    let proc: SandboxProcess | undefined = warm?.proc;
    const ttlMs = request.ttlMs ?? server.settings.ttl_seconds * 1000;
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), ttlMs);
    const signal = request.signal ? AbortSignal.any([request.signal, deadline.signal]) : deadline.signal;
    try {
      let session = warm?.session;
      if (session) clock.mark('start');
      else {
        proc = await sandbox.launch(launchOf(this.catalog, server, 'call', callId), signal);
        clock.mark('start');
        session = await UpstreamSession.open(proc, {
          label: `${server.app_name}/${server.process_type}`,
          initTimeoutMs: Math.min(this.initTimeoutMs, ttlMs),
          signal,
        });
      }
      clock.mark('init');
      const result = await session.callTool(tool, request.args, {
        timeout: ttlMs,
        signal,
        ...(request.onProgress ? { onprogress: request.onProgress } : {}),
      });
      clock.mark('run');
      void session.close();
      return { result: capResult(result), error: null, warm: !!warm, proc };
    } catch (error) {
      clock.markMissing();
      const message = deadline.signal.aborted
        ? `${server.app_name}/${server.process_type}: ${tool} ran out of time: killed after ${ttlMs / 1000} s (ttl_seconds)`
        : error instanceof Error
          ? error.message
          : String(error);
      return {
        result: { isError: true, content: [{ type: 'text', text: message }] },
        error: message,
        warm: !!warm,
        ...(proc ? { proc } : {}),
      };
    } finally {
      clearTimeout(timer);
      // Ends the server now; the call returns without waiting for it to be gone.
      if (proc) void proc.dispose();
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
