import { CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';
import { useEffect, useRef, useSyncExternalStore } from 'react';
import type { CallRecordView } from '../../../../src/shared/api';
import { latencySeries } from './latency';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Tooltip, Legend);

const dark = window.matchMedia('(prefers-color-scheme: dark)');

/** p50 and p95 of call time over the log, warm against cold, drawn with Chart.js in the theme's colors. */
export function LatencyChart({ calls }: { calls: CallRecordView[] }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const isDark = useSyncExternalStore(
    (listener) => {
      dark.addEventListener('change', listener);
      return () => dark.removeEventListener('change', listener);
    },
    () => dark.matches,
  );
  useEffect(() => {
    if (!canvas.current) return;
    const css = getComputedStyle(canvas.current);
    const color = (name: string) => css.getPropertyValue(name).trim();
    const series = latencySeries(calls);
    const line = (label: string, data: (number | null)[], hue: string, dashed: boolean) => ({
      label,
      data,
      borderColor: hue,
      backgroundColor: hue,
      borderDash: dashed ? [5, 4] : [],
      spanGaps: true,
      // Straight lines: a curve between two measured points draws latencies nobody measured.
      tension: 0,
      pointRadius: 2.5,
      borderWidth: 2,
    });
    const chart = new Chart(canvas.current, {
      type: 'line',
      data: {
        labels: series.labels,
        datasets: [
          line('warm p50', series.warm.p50, color('--ok'), false),
          line('warm p95', series.warm.p95, color('--ok'), true),
          line('cold p50', series.cold.p50, color('--accent'), false),
          line('cold p95', series.cold.p95, color('--accent'), true),
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        color: color('--muted'),
        interaction: { mode: 'index', intersect: false },
        scales: {
          x: { grid: { color: color('--line') }, ticks: { color: color('--muted'), maxRotation: 0, autoSkip: true } },
          y: { beginAtZero: true, grid: { color: color('--line') }, ticks: { color: color('--muted'), callback: (v) => `${v} ms` } },
        },
        plugins: {
          legend: { position: 'bottom', labels: { boxWidth: 18, boxHeight: 2, color: color('--muted') } },
          tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${item.parsed.y === null ? '–' : Math.round(item.parsed.y)} ms` } },
        },
      },
    });
    return () => chart.destroy();
  }, [calls, isDark]);
  return (
    <div className="chart" role="img" aria-label="Call time over time: p50 and p95, warm and cold">
      <canvas ref={canvas} />
    </div>
  );
}
