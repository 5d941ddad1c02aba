import type { CallRecordView } from '../../../../src/shared/api';

export interface LatencySeries {
  labels: string[];
  warm: { p50: (number | null)[]; p95: (number | null)[] };
  cold: { p50: (number | null)[]; p95: (number | null)[] };
}

/** The value below which `p` of the sorted values lie (nearest rank). */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? null;
}

/**
 * Total time of finished calls over time: the span of the log cut into `buckets` equal slices,
 * p50 and p95 per slice, warm and cold apart.
 */
export function latencySeries(calls: CallRecordView[], buckets = 12): LatencySeries {
  const done = calls.filter((c) => c.timings).map((c) => ({ at: Date.parse(c.started_at), ms: c.timings!.total_ms, warm: c.warm }));
  const empty: LatencySeries = { labels: [], warm: { p50: [], p95: [] }, cold: { p50: [], p95: [] } };
  if (done.length === 0) return empty;
  const first = Math.min(...done.map((d) => d.at));
  const last = Math.max(...done.map((d) => d.at));
  const count = last === first ? 1 : Math.min(buckets, done.length);
  const width = (last - first) / count || 1;
  const slices = Array.from({ length: count }, () => ({ warm: [] as number[], cold: [] as number[] }));
  for (const d of done) {
    const slice = slices[Math.min(count - 1, Math.floor((d.at - first) / width))]!;
    (d.warm ? slice.warm : slice.cold).push(d.ms);
  }
  const series = empty;
  slices.forEach((slice, i) => {
    series.labels.push(new Date(first + width * (i + 0.5)).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' }));
    for (const kind of ['warm', 'cold'] as const) {
      const sorted = slice[kind].sort((a, b) => a - b);
      series[kind].p50.push(percentile(sorted, 0.5));
      series[kind].p95.push(percentile(sorted, 0.95));
    }
  });
  return series;
}
