import { describe, expect, it } from 'vitest';
import type { CallRecordView } from '../../../../src/shared/api';
import { latencySeries, percentile } from './latency';

function call(second: number, total: number, warm: boolean): CallRecordView {
  return {
    id: `${second}-${total}`,
    tool: 'echo',
    app_name: 'a',
    process_type: 'mcp',
    resource: 'default',
    arguments: {},
    result: null,
    error: null,
    is_error: false,
    status: 'ok',
    sandbox: 'docker',
    warm,
    container_id: null,
    exit_code: null,
    timings: { queued_ms: 0, start_ms: 0, init_ms: 0, run_ms: total, total_ms: total },
    started_at: new Date(Date.UTC(2026, 0, 1, 12, 0, second)).toISOString(),
    finished_at: null,
  };
}

describe('the latency chart’s figures', () => {
  it('takes percentiles by nearest rank', () => {
    const sorted = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(percentile(sorted, 0.5)).toBe(10);
    expect(percentile(sorted, 0.95)).toBe(19);
    expect(percentile([], 0.5)).toBeNull();
  });

  it('cuts the log into slices of time and keeps warm and cold calls apart', () => {
    const calls = [call(0, 900, false), call(1, 20, true), call(2, 30, true), call(59, 1100, false), call(60, 10, true)];
    const series = latencySeries(calls, 2);
    expect(series.labels).toHaveLength(2);
    expect(series.warm.p50).toEqual([20, 10]);
    expect(series.warm.p95).toEqual([30, 10]);
    expect(series.cold.p50).toEqual([900, 1100]);
    expect(latencySeries([{ ...call(0, 5, true), timings: null }]).labels).toEqual([]);
  });
});
