import { randomUUID } from 'node:crypto';
import type { CallRecordView, CallTimings } from '../shared/api.js';
import { storedJson, storedText } from './call-excerpt.js';
import { nowIso, type Db } from './database.js';

export interface CallStart {
  id: string;
  resource_name: string | null;
  /** None for a built-in tool, which runs no server of an app. */
  server_id: string | null;
  app_name: string;
  process_type: string;
  tool: string;
  arguments: unknown;
  sandbox: string;
  /** Values to blank out of what is stored (the app's config vars). */
  secrets?: readonly string[];
}

export interface CallEnd {
  warm: boolean;
  result: unknown;
  error: string | null;
  is_error: boolean;
  container_id: string | null;
  exit_code: number | null;
  timings: CallTimings;
  /** Values to blank out of what is stored (the app's config vars). */
  secrets?: readonly string[];
  /** Why it ran, or did not: the approval policy's decision. */
  decision?: string;
}

interface RawCallRow {
  id: string;
  resource_name: string | null;
  app_name: string;
  process_type: string;
  tool: string;
  arguments_json: string;
  result_json: string | null;
  error: string | null;
  is_error: number;
  status: 'running' | 'ok' | 'error';
  sandbox: string;
  warm: number;
  container_id: string | null;
  exit_code: number | null;
  queued_ms: number | null;
  start_ms: number | null;
  init_ms: number | null;
  run_ms: number | null;
  total_ms: number | null;
  started_at: string;
  finished_at: string | null;
  decision: string | null;
}

export interface CallFilter {
  app?: string | undefined;
  process?: string | undefined;
  tool?: string | undefined;
  status?: 'running' | 'ok' | 'error' | undefined;
}

/** The call log: one row per tool call, written when it starts and completed when it ends. */
export class CallsRepository {
  constructor(private readonly db: Db) {}

  start(call: CallStart): void {
    this.db
      .prepare(
        `INSERT INTO calls (id, resource_name, server_id, app_name, process_type, tool, arguments_json, status, sandbox, started_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'running', ?, ?)`,
      )
      .run(
        call.id,
        call.resource_name,
        call.server_id,
        call.app_name,
        call.process_type,
        call.tool,
        storedJson(call.arguments ?? {}, call.secrets),
        call.sandbox,
        nowIso(),
      );
  }

  finish(id: string, end: CallEnd): void {
    const t = end.timings;
    this.db
      .prepare(
        `UPDATE calls SET warm = ?, result_json = ?, error = ?, is_error = ?, status = ?, container_id = ?, exit_code = ?,
           queued_ms = ?, start_ms = ?, init_ms = ?, run_ms = ?, total_ms = ?, finished_at = ?, decision = ? WHERE id = ?`,
      )
      .run(
        end.warm ? 1 : 0,
        end.result === undefined ? null : storedJson(end.result, end.secrets),
        storedText(end.error, end.secrets),
        end.is_error ? 1 : 0,
        end.is_error ? 'error' : 'ok',
        end.container_id,
        end.exit_code,
        t.queued_ms,
        t.start_ms,
        t.init_ms,
        t.run_ms,
        t.total_ms,
        nowIso(),
        end.decision ?? null,
        id,
      );
  }

  /** The approval policy's decision, as soon as it is made: a call cut off later still shows it. */
  setDecision(id: string, decision: string): void {
    this.db.prepare('UPDATE calls SET decision = ? WHERE id = ?').run(decision, id);
  }

  /** A decision that ran nothing, for the log: a tool definition the user approved. */
  note(entry: { server_id: string; app_name: string; process_type: string; tool: string; decision: string; details: unknown }): void {
    const now = nowIso();
    this.db
      .prepare(
        `INSERT INTO calls (id, resource_name, server_id, app_name, process_type, tool, arguments_json, status, sandbox, started_at, finished_at, decision)
         VALUES (?, NULL, ?, ?, ?, ?, ?, 'ok', 'none', ?, ?, ?)`,
      )
      .run(randomUUID(), entry.server_id, entry.app_name, entry.process_type, entry.tool, storedJson(entry.details), now, now, entry.decision);
  }

  setExit(id: string, code: number | null): void {
    this.db.prepare('UPDATE calls SET exit_code = ? WHERE id = ?').run(code, id);
  }

  /** The newest calls, optionally only those of one app, server, tool or status. */
  list(limit: number, filter: CallFilter = {}): CallRecordView[] {
    const where: string[] = [];
    const values: (string | number)[] = [];
    const columns = { app: 'app_name', process: 'process_type', tool: 'tool', status: 'status' } as const;
    for (const [key, column] of Object.entries(columns) as [keyof CallFilter, string][]) {
      const value = filter[key];
      if (value === undefined) continue;
      where.push(`${column} = ?`);
      values.push(value);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    return this.db
      .prepare<(string | number)[], RawCallRow>(`SELECT * FROM calls ${clause} ORDER BY started_at DESC, rowid DESC LIMIT ?`)
      .all(...values, limit)
      .map(toView);
  }

  find(id: string): CallRecordView | undefined {
    const row = this.db.prepare<[string], RawCallRow>('SELECT * FROM calls WHERE id = ?').get(id);
    return row && toView(row);
  }

  /** Closes calls a previous hub left running (it was killed): they end as errors, never as `running`. */
  failInterrupted(): number {
    return this.db
      .prepare(
        "UPDATE calls SET status = 'error', is_error = 1, error = 'the hub stopped during this call', finished_at = ? WHERE status = 'running'",
      )
      .run(nowIso()).changes;
  }
}

function toView(row: RawCallRow): CallRecordView {
  const timings =
    row.total_ms === null
      ? null
      : {
          queued_ms: row.queued_ms ?? 0,
          start_ms: row.start_ms ?? 0,
          init_ms: row.init_ms ?? 0,
          run_ms: row.run_ms ?? 0,
          total_ms: row.total_ms,
        };
  return {
    id: row.id,
    tool: row.tool,
    app_name: row.app_name,
    process_type: row.process_type,
    resource: row.resource_name,
    arguments: JSON.parse(row.arguments_json) as unknown,
    result: row.result_json === null ? null : (JSON.parse(row.result_json) as unknown),
    error: row.error,
    is_error: row.is_error === 1,
    status: row.status,
    sandbox: row.sandbox,
    warm: row.warm === 1,
    container_id: row.container_id,
    exit_code: row.exit_code,
    timings,
    started_at: row.started_at,
    finished_at: row.finished_at,
    ...(row.decision ? { decision: row.decision } : {}),
  };
}
