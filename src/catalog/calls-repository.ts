import type { CallRecordView, CallTimings } from '../shared/api.js';
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
}

export interface CallEnd {
  warm: boolean;
  result: unknown;
  error: string | null;
  is_error: boolean;
  container_id: string | null;
  exit_code: number | null;
  timings: CallTimings;
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
        JSON.stringify(call.arguments ?? {}),
        call.sandbox,
        nowIso(),
      );
  }

  finish(id: string, end: CallEnd): void {
    const t = end.timings;
    this.db
      .prepare(
        `UPDATE calls SET warm = ?, result_json = ?, error = ?, is_error = ?, status = ?, container_id = ?, exit_code = ?,
           queued_ms = ?, start_ms = ?, init_ms = ?, run_ms = ?, total_ms = ?, finished_at = ? WHERE id = ?`,
      )
      .run(
        end.warm ? 1 : 0,
        end.result === undefined ? null : JSON.stringify(end.result),
        end.error,
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
        id,
      );
  }

  setExit(id: string, code: number | null): void {
    this.db.prepare('UPDATE calls SET exit_code = ? WHERE id = ?').run(code, id);
  }

  list(limit: number): CallRecordView[] {
    return this.db
      .prepare<[number], RawCallRow>('SELECT * FROM calls ORDER BY started_at DESC, rowid DESC LIMIT ?')
      .all(limit)
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
  };
}
