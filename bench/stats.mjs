// Timing and summaries shared by every section of the bench.

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Milliseconds that `work` took, wall clock. */
export async function time(work) {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

/** A latency path: its raw samples (ms, in the order taken) and their percentiles. */
export function path(label, samples, extra = {}) {
  const rounded = samples.map((s) => Math.round(s * 1000) / 1000);
  return { label, unit: 'ms', ...extra, samples: rounded, ...stats(rounded) };
}

/** Percentiles by linear interpolation between the closest ranks. */
export function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => {
    if (sorted.length === 0) return NaN;
    const rank = q * (sorted.length - 1);
    const low = Math.floor(rank);
    const high = Math.min(sorted.length - 1, low + 1);
    return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
  };
  const mean = sorted.reduce((sum, s) => sum + s, 0) / sorted.length;
  return { n: sorted.length, min: at(0), p5: at(0.05), p25: at(0.25), p50: at(0.5), p75: at(0.75), p95: at(0.95), max: at(1), mean };
}

/** `p50  12.3 ms   p95  45.6 ms   (n=30)` */
export function fmt(s) {
  return `p50 ${ms(s.p50).padStart(7)} ms   p95 ${ms(s.p95).padStart(7)} ms   (n=${s.n})`;
}

export const ms = (value) => (Number.isFinite(value) ? value.toFixed(value < 10 ? 2 : 1) : '—');
