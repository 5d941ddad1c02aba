import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { CallToolResult, Progress } from '@modelcontextprotocol/sdk/types.js';
import type { Catalog } from '../catalog/catalog.js';
import type { ServerRow, ToolDefinition } from '../catalog/servers-repository.js';
import type { Sandbox, SandboxProcess } from '../sandbox/sandbox.js';
import type { CallRecordView, CallTimings } from '../shared/api.js';
import { AppError } from '../shared/errors.js';
import type { CallOutcome } from '../shared/operations.js';
import { offeredTools } from '../toolkit/toolkit-catalog.js';
import { resolveToolName } from '../toolkit/tool-names.js';
import { capResult } from '../upstream/result-cap.js';
import type { CallRelay, UpstreamSession } from '../upstream/upstream-session.js';
import { checkArguments } from './arguments.js';
import type { CallGate } from './call-gate.js';
import { launchOf, openSession } from './launch.js';
import { relayWithRoots } from './roots.js';
import { SessionServers, type HeldServer } from './session-servers.js';
import type { Limiter } from './limiter.js';
import type { WarmSession } from '../upstream/warm-pool.js';
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
  /** The client session the call belongs to: a session-lifetime server keeps one container per session. */
  session?: string;
  /** Who calls, as an approval request names it: "the toolkit", "procdock call", "the agent loop". */
  caller?: string;
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
  /** The containers of session-lifetime servers, per client session. */
  readonly sessions: SessionServers;

  constructor(
    private readonly catalog: Catalog,
    private readonly sandbox: () => Sandbox,
    private readonly limiter: Limiter,
    private readonly initTimeoutMs: number,
    private readonly changed: () => void,
    private readonly pools?: WarmPools,
    /** Applies approval policies; without one every call runs. */
    private readonly gate?: CallGate,
  ) {
    this.sessions = new SessionServers(async (server) => ({
      ...(await this.acquire(server, { purpose: 'session', signal: new AbortController().signal, ttlMs: this.initTimeoutMs, onLaunched: () => undefined })),
      key: sessionKey(this.catalog, server),
    }));
  }

  /** Ends session containers whose server changed or stopped since they started. */
  refreshSessions(): void {
    if (this.sessions.size === 0) return;
    this.sessions.refresh((serverId) => {
      const server = this.catalog.servers.findById(serverId);
      return server && server.server_status === 'registered' ? sessionKey(this.catalog, server) : undefined;
    });
  }

  /**
   * What names resolved to since the catalog last changed: a warm call should not pay for reading
   * every tool of the resource (1.3 ms a call on 2 cores). Only successes are kept.
   */
  private readonly resolved = new Map<string, ResolvedTool>();
  /** Each app's config var values, kept out of the call log: unsealed once per change, not per call. */
  private readonly secrets = new Map<string, string[]>();

  /** Forgets what it read of the catalog: the hub calls it on every change but the call log's. */
  forgetCatalog(): void {
    this.resolved.clear();
    this.secrets.clear();
  }

  private secretsOf(appId: string): string[] {
    let values = this.secrets.get(appId);
    if (!values) this.secrets.set(appId, (values = Object.values(this.catalog.config.get(appId))));
    return values;
  }

  /** The tool a name stands for among the resource's started servers, as its toolkit names them. */
  resolve(resourceName: string, wanted: string): ResolvedTool {
    const key = `${resourceName}\n${wanted}`;
    const known = this.resolved.get(key);
    if (known) return known;
    const found = this.resolveNow(resourceName, wanted);
    this.resolved.set(key, found);
    return found;
  }

  private resolveNow(resourceName: string, wanted: string): ResolvedTool {
    const resource = this.catalog.models.findByName(resourceName);
    if (!resource) throw new AppError('not_found', `no model resource named "${resourceName}": see procdock models`);
    const servers = this.catalog.servers.listByResource(resource.id);
    const toolsOf = (rows: ServerRow[], pick: (server: ServerRow) => ToolDefinition[]) =>
      rows.flatMap((server) => pick(server).map((tool) => ({ namespace: server.process_type, name: tool.name, server })));
    const started = servers.filter((s) => s.server_status === 'registered');
    const found = resolveToolName(toolsOf(started, (server) => offeredTools(this.catalog, server)), wanted);
    if (found && 'ambiguous' in found) {
      throw new AppError('conflict', `"${wanted}" is offered by several servers: name one of ${found.ambiguous.join(', ')}`);
    }
    if (found) return { server: found.tool.server, tool: found.tool.name };
    const waiting = resolveToolName(toolsOf(started, (server) => this.catalog.servers.tools(server.id)), wanted);
    if (waiting && 'tool' in waiting) {
      const { server, name } = waiting.tool;
      throw new AppError(
        'forbidden',
        `${server.app_name}/${server.process_type} changed the definition of "${name}" (or offers it anew) since you approved its tools: review it with procdock tools:diff ${server.app_name}, accept it with procdock tools:approve ${server.app_name} ${name}`,
      );
    }
    const stopped = resolveToolName(toolsOf(servers.filter((s) => s.server_status === 'disconnected'), (server) => this.catalog.servers.tools(server.id)), wanted);
    if (stopped && 'tool' in stopped) {
      const { server } = stopped.tool;
      throw new AppError('unavailable', `server ${server.app_name}/${server.process_type} is stopped: start it first`);
    }
    const hint =
      servers.length === 0 ? `no app is attached to it: run procdock attach APP --resource ${resource.name}` : 'see procdock servers';
    throw new AppError('not_found', `no tool "${wanted}" in resource "${resource.name}": ${hint}`);
  }

  async call(request: CallRequest): Promise<CallOutcome> {
    checkArguments(request.args);
    const { server, tool } = request.resolved ?? this.resolve(request.resourceName, request.tool);
    const id = randomUUID();
    const sandbox = this.sandbox();
    const secrets = this.secretsOf(server.app_id);
    // From the moment the log says it started: a wait for approval counts as queued, and the
    // timings place the call on the same clock as the log's start.
    const clock = new CallClock();
    this.catalog.calls.start({
      secrets,
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
    // A call held for approval waits outside the limiter and its ttl: it holds nothing.
    const gate = this.gate
      ? await this.gate.decide(server, tool, request.args, { relay: request.relay, label: request.caller ?? 'a client', ...(request.signal ? { signal: request.signal } : {}) })
      : { allowed: true, decision: 'allowed by default' };
    if (!gate.allowed) return this.refuse(id, gate.decision, gate.message ?? gate.decision, secrets, clock);
    this.catalog.calls.setDecision(id, gate.decision);
    const run = await this.limiter.run(() => {
      clock.mark('queued');
      return this.execute(server, tool, id, request, clock);
    });
    this.catalog.calls.finish(id, {
      secrets,
      decision: gate.decision,
      warm: run.warm,
      result: run.result,
      error: run.error,
      is_error: run.result.isError === true,
      container_id: run.proc?.id ?? null,
      exit_code: null,
      timings: clock.timings(),
    });
    this.changed();
    // Ends the server after this turn, once the result is on its way: closing its session and
    // removing its container take CPU, the engine's too, which the answer should not wait for. A
    // session's container stays.
    const { proc, session } = run;
    if (proc && !run.kept) {
      const ended = nextTurn().then(() => {
        void session?.close();
        return proc.dispose();
      });
      this.track(ended.then((exit) => this.catalog.calls.setExit(id, exit.code)));
    }
    const calls = this.catalog.calls;
    let call: CallRecordView | undefined;
    return {
      result: run.result as CallOutcome['result'],
      // Read back from the log when asked for, as the CLI and the UI do: the toolkit and agents want the result alone.
      get call(): CallRecordView {
        call ??= calls.find(id);
        if (!call) throw new Error(`call ${id} vanished`);
        return call;
      },
    };
  }

  /** Ends a call the approval policy did not let run: an `isError` result that says why and how to allow it. */
  private refuse(id: string, decision: string, message: string, secrets: string[], clock: CallClock): CallOutcome {
    const result = { isError: true, content: [{ type: 'text', text: message }] };
    clock.markMissing();
    this.catalog.calls.finish(id, { secrets, decision, warm: false, result, error: message, is_error: true, container_id: null, exit_code: null, timings: clock.timings() });
    this.changed();
    return { result, call: this.catalog.calls.find(id)! };
  }

  /**
   * Runs one request that is not a tool call (a resource read, a prompt, a completion) on a server
   * of its own, warm or fresh, within the server's ttl. Failures throw, saying what happened.
   */
  async onServer<T>(
    server: ServerRow,
    step: string,
    work: (session: UpstreamSession, signal: AbortSignal) => Promise<T>,
    signal?: AbortSignal,
    /** The client session: a session-lifetime server answers from that session's container. */
    session?: string,
  ): Promise<T> {
    const ttlMs = server.settings.ttl_seconds * 1000;
    return this.limiter.run(() =>
      this.withDeadline(ttlMs, signal, async (deadline) => {
        let proc: SandboxProcess | undefined;
        try {
          if (session && server.settings.lifetime === 'session') {
            return await this.sessions.use(session, server, (held) => work(held.session, deadline));
          }
          const lease = await this.acquire(server, { purpose: 'call', signal: deadline, ttlMs, onLaunched: (launched) => (proc = launched) });
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
  ): Promise<Execution> {
    const ttlMs = request.ttlMs ?? server.settings.ttl_seconds * 1000;
    const clientSession = server.settings.lifetime === 'session' ? request.session : undefined;
    if (clientSession) return this.executeInSession(server, tool, clientSession, request, clock, ttlMs);
    let proc: SandboxProcess | undefined;
    let warm = false;
    return this.withDeadline(ttlMs, request.signal, async (signal) => {
      try {
        const lease = await this.acquire(server, {
          purpose: 'call',
          callId,
          signal,
          ttlMs,
          onLaunched: (launched, startedAt) => {
            proc = launched;
            clock.mark('start', startedAt);
          },
        });
        ({ proc, warm } = lease);
        const result = await this.callOn(lease.session, server, tool, request, clock, ttlMs, signal);
        return { result, error: null, warm, proc, session: lease.session };
      } catch (error) {
        clock.markMissing();
        const message = this.failure(error, signal, request, server, tool, ttlMs);
        const result: CallToolResult = { isError: true, content: [{ type: 'text', text: message }] };
        return { result, error: message, warm, ...(proc ? { proc } : {}) };
      }
    });
  }

  /**
   * A call to a session-lifetime server in its client session's container, which stays for the
   * session's next calls. A call that runs out of time ends the container (and its state with it).
   */
  private executeInSession(server: ServerRow, tool: string, clientSession: string, request: CallRequest, clock: CallClock, ttlMs: number): Promise<Execution> {
    return this.withDeadline(ttlMs, request.signal, async (signal) => {
      let held: HeldServer | undefined;
      try {
        return await this.sessions.use(clientSession, server, async (h) => {
          held = h;
          clock.mark('start', h.startedAt);
          const result = await this.callOn(h.session, server, tool, request, clock, ttlMs, signal);
          return { result, error: null, warm: h.warm, proc: h.proc, kept: true };
        });
      } catch (error) {
        clock.markMissing();
        if (signal.aborted) this.sessions.drop(clientSession, server);
        const message = this.failure(error, signal, request, server, tool, ttlMs);
        return { result: { isError: true, content: [{ type: 'text', text: message }] }, error: message, warm: held?.warm ?? false, kept: true, ...(held ? { proc: held.proc } : {}) };
      }
    });
  }

  /** `tools/call` on a started session, the roots it asks for mapped onto its granted folders. */
  private async callOn(session: UpstreamSession, server: ServerRow, tool: string, request: CallRequest, clock: CallClock, ttlMs: number, signal: AbortSignal): Promise<CallToolResult> {
    session.relay = relayWithRoots(request.relay, this.catalog.mounts.forServer(server.app_id, server.process_type));
    clock.mark('init');
    const result = await session.callTool(tool, request.args, {
      timeout: ttlMs,
      signal,
      ...(request.onProgress ? { onprogress: request.onProgress } : {}),
    });
    clock.mark('run');
    return capResult(result);
  }

  private failure(error: unknown, signal: AbortSignal, request: CallRequest, server: ServerRow, tool: string, ttlMs: number): string {
    // apps:remove ends the app's containers, calls running in them too: say so, not "exited with code 137".
    if (!this.catalog.apps.findById(server.app_id)) {
      return `${server.app_name}/${server.process_type}: ${tool} was cut off: the app was removed during the call`;
    }
    if (request.signal?.aborted) return `${server.app_name}/${server.process_type}: ${tool} was cancelled by the client`;
    if (signal.aborted) {
      return `${server.app_name}/${server.process_type}: ${tool} ran out of time: killed after ${ttlMs / 1000} s (ttl_seconds)`;
    }
    return error instanceof Error ? error.message : String(error);
  }

  /** A session on the server: a warm one if its pool has one, else a fresh launch and handshake. */
  private async acquire(server: ServerRow, how: Acquire): Promise<WarmSession & { warm: boolean }> {
    const warm = this.pools?.take(server);
    if (warm) {
      how.onLaunched(warm.proc, warm.startedAt);
      return { ...warm, warm: true };
    }
    // None ready: one already starting comes up sooner than a fresh one. It was not warm when asked for.
    const coming = await this.pools?.next(server, how.signal);
    if (coming) {
      how.onLaunched(coming.proc, coming.startedAt);
      return { ...coming, warm: false };
    }
    const proc = await this.sandbox().launch(launchOf(this.catalog, server, how.purpose, how.callId), how.signal);
    const startedAt = performance.now();
    how.onLaunched(proc, startedAt);
    try {
      const session = await openSession(proc, {
        label: `${server.app_name}/${server.process_type}`,
        initTimeoutMs: Math.min(this.initTimeoutMs, how.ttlMs),
        signal: how.signal,
      });
      return { session, proc, warm: false, startedAt };
    } catch (error) {
      if (how.purpose === 'session') await proc.dispose();
      throw error;
    }
  }

  /** Ends the containers of session-lifetime servers; the hub calls it when it stops. */
  async closeSessions(): Promise<void> {
    await this.sessions.close();
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

/** What a session container was started from: a change to any of it ends the container. */
function sessionKey(catalog: Catalog, server: ServerRow): string {
  const { purpose: _purpose, ...launch } = launchOf(catalog, server, 'session');
  return JSON.stringify(launch);
}

/** How a call ran: its result, and the container (kept when it belongs to a client session). */
interface Execution {
  result: CallToolResult;
  error: string | null;
  warm: boolean;
  proc?: SandboxProcess;
  /** The call's own session, closed with its container after the answer. */
  session?: UpstreamSession;
  kept?: boolean;
}

/** How to get a server for one request. */
interface Acquire {
  purpose: 'call' | 'session';
  callId?: string;
  signal: AbortSignal;
  ttlMs: number;
  /** Called with the container as soon as the call has it, and when it had started. */
  onLaunched: (proc: SandboxProcess, startedAt: number) => void;
}

/** Settles after the current turn of the event loop, when what it wrote has gone out. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Measures the phases of one call: queued, container start, server init, tool run, total. */
export class CallClock {
  private readonly started = performance.now();
  private readonly marks = new Map<string, number>();

  /**
   * Marks a phase's end: now, or `at` for a container that started before the call had it (warm,
   * or one the pool was starting); never before the phase that precedes it, which then took no time.
   */
  mark(phase: 'queued' | 'start' | 'init' | 'run', at = performance.now()): void {
    const previous = [...this.marks.values()].at(-1) ?? this.started;
    this.marks.set(phase, Math.max(at, previous));
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
