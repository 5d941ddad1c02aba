// Runs in the report page (inlined by report.mjs): draws the charts from the embedded bench data
// with Chart.js (the global `Chart` of its UMD build), again whenever the colour scheme changes.
/* global Chart, document, getComputedStyle, matchMedia */

const data = JSON.parse(document.getElementById('bench-data').textContent);
const paths = data.paths;
const callPaths = ['direct', 'http-floor', 'warm', 'toolkit-http-call-wire', 'toolkit-http-call', 'toolkit-sse-call-wire', 'toolkit-sse-call', 'burst', 'cold', 'docker-run'];
const short = {
  direct: '(a) direct',
  'docker-run': '(b) docker run',
  cold: '(c) cold',
  warm: '(d) warm',
  burst: '(e) burst of 8',
  'toolkit-http-call': 'toolkit http',
  'toolkit-sse-call': 'toolkit sse',
  'toolkit-http-list': 'tools/list http',
  'toolkit-sse-list': 'tools/list sse',
  'toolkit-http-call-wire': 'toolkit http, bare client',
  'toolkit-http-list-wire': 'tools/list http, bare client',
  'toolkit-sse-call-wire': 'toolkit sse, bare client',
  'toolkit-sse-list-wire': 'tools/list sse, bare client',
  churn: 'churn',
  'cli-node': 'node -e 0',
  'http-floor': '(f) bare HTTP round trip',
};
const nameOf = (key) => short[key] ?? paths[key].label;
const present = (keys) => keys.filter((k) => paths[k]);
const fixed = (v) => (v < 10 ? v.toFixed(2) : v.toFixed(1));
let charts = [];

/** Dashed lines at given values across a chart: `plugins.targetLines: { axis, lines: [{ value, label, color }] }`. */
const targetLines = {
  id: 'targetLines',
  afterDatasetsDraw(chart, _args, options) {
    const scale = chart.scales[options.axis];
    if (!scale || !options.lines) return;
    const { ctx, chartArea: area } = chart;
    for (const line of options.lines) {
      const at = scale.getPixelForValue(line.value);
      ctx.save();
      ctx.strokeStyle = ctx.fillStyle = line.color;
      ctx.setLineDash([6, 4]);
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      if (scale.isHorizontal()) ctx.moveTo(at, area.top), ctx.lineTo(at, area.bottom);
      else ctx.moveTo(area.left, at), ctx.lineTo(area.right, at);
      ctx.stroke();
      ctx.font = '12px system-ui, sans-serif';
      // The label on a patch of the card's colour, so that it reads over the bars beneath it.
      const width = ctx.measureText(line.label).width;
      const [x, y] = scale.isHorizontal() ? [at + 4, area.top + 12] : [area.right - width - 4, at - 5];
      ctx.setLineDash([]);
      ctx.fillStyle = colours().card;
      ctx.fillRect(x - 3, y - 11, width + 6, 15);
      ctx.fillStyle = line.color;
      ctx.fillText(line.label, x, y);
      ctx.restore();
    }
  },
};

function colours() {
  const style = getComputedStyle(document.documentElement);
  const get = (name) => style.getPropertyValue(name).trim();
  return { fg: get('--fg'), card: get('--card'), muted: get('--muted'), grid: get('--grid'), fail: get('--fail'), series: [1, 2, 3, 4, 5, 6, 7, 8].map((i) => get(`--c${i}`)) };
}

/** Draws `config` in canvas #id, or says the run did not measure it. */
function draw(id, config) {
  const canvas = document.getElementById(id);
  if (!canvas) return;
  if (!config) {
    canvas.parentElement.outerHTML = '<p class="note">Not measured in this run.</p>';
    return;
  }
  charts.push(new Chart(canvas, { ...config, plugins: [targetLines] }));
}

/** `#rrggbb` with an alpha, as Chart.js parses colours itself. */
function withAlpha(hex, alpha) {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

function latencyChart(c) {
  const keys = Object.keys(paths);
  if (keys.length === 0) return undefined;
  document.getElementById('latency').parentElement.style.height = `${80 + keys.length * 30}px`;
  const colourOf = (i) => c.series[i % c.series.length];
  const bar = (label, low, high, thickness, alpha) => ({
    label,
    data: keys.map((k) => [paths[k][low], paths[k][high]]),
    backgroundColor: keys.map((_, i) => withAlpha(colourOf(i), alpha)),
    borderColor: keys.map((_, i) => colourOf(i)),
    borderWidth: alpha > 0.5 ? 0 : 1,
    barThickness: thickness,
    grouped: false,
    borderSkipped: false,
  });
  return {
    type: 'bar',
    data: {
      labels: keys.map(nameOf),
      datasets: [
        { type: 'line', label: 'median', data: keys.map((k) => paths[k].p50), showLine: false, pointStyle: 'line', rotation: 90, radius: 9, borderWidth: 3, borderColor: c.fg, indexAxis: 'y' },
        bar('p25–p75', 'p25', 'p75', 16, 0.35),
        bar('p5–p95', 'p5', 'p95', 3, 0.9),
      ],
    },
    options: {
      indexAxis: 'y',
      maintainAspectRatio: false,
      interaction: { mode: 'index', axis: 'y', intersect: false },
      scales: { x: { type: 'logarithmic', title: { display: true, text: 'ms (log)' } } },
      plugins: {
        legend: { display: false },
        tooltip: {
          filter: (item) => item.datasetIndex === 1,
          callbacks: { label: (item) => percentileText(paths[keys[item.dataIndex]]) },
        },
      },
    },
  };
}

function percentileText(p) {
  return `n=${p.n}  p5 ${fixed(p.p5)}  p25 ${fixed(p.p25)}  p50 ${fixed(p.p50)}  p75 ${fixed(p.p75)}  p95 ${fixed(p.p95)} ms`;
}

function warmColdChart(c) {
  const keys = present(callPaths);
  if (keys.length === 0) return undefined;
  return {
    type: 'bar',
    data: {
      labels: keys.map(nameOf),
      datasets: [
        { label: 'p50', data: keys.map((k) => paths[k].p50), backgroundColor: c.series[0] },
        { label: 'p95', data: keys.map((k) => paths[k].p95), backgroundColor: withAlpha(c.series[0], 0.35) },
      ],
    },
    options: { maintainAspectRatio: false, scales: { y: { type: 'logarithmic', title: { display: true, text: 'ms (log)' } } } },
  };
}

function overheadChart(c) {
  // Bursts are held to their own figure (≤ 50 ms), not to the direct session: they would dwarf the rest.
  const keys = Object.keys(data.overheads).filter((k) => k !== 'burst');
  if (keys.length === 0) return undefined;
  const values = keys.map((k) => data.overheads[k]);
  const parts = overheadParts(keys);
  const datasets = parts
    ? parts.map((part, i) => ({ label: part.label, data: part.values, backgroundColor: c.series[i], stack: 'over' }))
    : [{ label: 'p50 over (a), ms', data: values, backgroundColor: keys.map((k, i) => (k.startsWith('toolkit') ? c.series[0] : c.series[i + 2])) }];
  return {
    type: 'bar',
    data: { labels: keys.map(nameOf), datasets },
    options: {
      indexAxis: 'y',
      maintainAspectRatio: false,
      scales: {
        x: { stacked: true, suggestedMin: 0, suggestedMax: Math.max(6, ...values) * 1.1, title: { display: true, text: 'ms over the direct session' } },
        y: { stacked: true },
      },
      plugins: { legend: { display: Boolean(parts) }, targetLines: { axis: 'x', lines: [{ value: 5, label: 'target 5 ms', color: c.fail }] } },
    },
  };
}

/**
 * Each warm path's time over the direct session in the parts it is made of: a warm call in the hub,
 * the bare HTTP round trip (f), the toolkit's HTTP side, the SDK client. Undefined without (f).
 */
function overheadParts(keys) {
  const floor = paths['http-floor']?.p50;
  const warm = data.overheads.warm;
  if (floor === undefined || warm === undefined) return undefined;
  const transportOf = (k) => /^toolkit-(http|sse)-call/.exec(k)?.[1];
  const wireOf = (k) => paths[`toolkit-${transportOf(k)}-call-wire`]?.p50;
  const part = (label, of) => ({ label, values: keys.map((k) => Math.max(0, of(k) ?? 0)) });
  return [
    part('warm call in the hub', (k) => (k === 'warm' || transportOf(k) ? warm : data.overheads[k])),
    part('bare HTTP round trip (f)', (k) => (transportOf(k) ? floor : 0)),
    part("the toolkit's HTTP side", (k) => (transportOf(k) ? wireOf(k) - paths.warm.p50 - floor : 0)),
    part('the SDK client', (k) => (transportOf(k) && !k.endsWith('-wire') ? paths[k].p50 - wireOf(k) : 0)),
  ];
}

function cliChart(c) {
  const commands = ['help', 'apps', 'servers', 'calls'];
  const states = [['no-hub', 'no hub'], ['hub', 'hub running']].filter(([s]) => paths[`cli-${s}-apps`]);
  if (states.length === 0) return undefined;
  const node = paths['cli-node'].p50;
  const bare = paths['cli-node-no-extra-ca']?.p50;
  const values = states.flatMap(([s]) => commands.map((cmd) => paths[`cli-${s}-${cmd}`].p50));
  return {
    type: 'bar',
    data: {
      labels: commands.map((cmd) => (cmd === 'help' ? '--help' : cmd)),
      datasets: states.map(([s, label], i) => ({ label, data: commands.map((cmd) => paths[`cli-${s}-${cmd}`].p50), backgroundColor: c.series[i + 1] })),
    },
    options: {
      maintainAspectRatio: false,
      scales: { y: { suggestedMin: 0, suggestedMax: Math.max(165, ...values), title: { display: true, text: 'ms (p50)' } } },
      plugins: {
        targetLines: {
          axis: 'y',
          lines: [
            { value: 150, label: 'target 150 ms', color: c.fail },
            { value: node, label: `node -e 0: ${fixed(node)} ms`, color: c.muted },
            ...(bare === undefined ? [] : [{ value: bare, label: `node -e 0 without NODE_EXTRA_CA_CERTS: ${fixed(bare)} ms`, color: c.muted }]),
          ],
        },
      },
    },
  };
}

function samplesChart(c) {
  const keys = present(callPaths);
  if (keys.length === 0) return undefined;
  return {
    type: 'line',
    data: {
      datasets: keys.map((k, i) => ({
        label: nameOf(k),
        data: paths[k].samples.map((y, x) => ({ x: x + 1, y })),
        borderColor: c.series[i % c.series.length],
        backgroundColor: c.series[i % c.series.length],
        borderWidth: 1.5,
        pointRadius: 2,
      })),
    },
    options: {
      maintainAspectRatio: false,
      scales: { x: { type: 'linear', title: { display: true, text: 'call #' } }, y: { type: 'logarithmic', title: { display: true, text: 'ms (log)' } } },
    },
  };
}

/** Latencies of the churn in log-spaced bins. */
function churnChart(c) {
  const churn = paths.churn;
  if (!churn) return undefined;
  const bins = 24;
  const low = Math.log(Math.max(churn.min, 0.01));
  const step = (Math.log(churn.max) - low) / bins || 1;
  const counts = Array(bins).fill(0);
  for (const s of churn.samples) counts[Math.min(bins - 1, Math.floor((Math.log(Math.max(s, 0.01)) - low) / step))]++;
  const edge = (i) => Math.exp(low + i * step);
  return {
    type: 'bar',
    data: {
      labels: counts.map((_, i) => `${edge(i).toFixed(0)}–${edge(i + 1).toFixed(0)}`),
      datasets: [{ label: 'calls', data: counts, backgroundColor: c.series[2], barPercentage: 1, categoryPercentage: 0.95 }],
    },
    options: {
      maintainAspectRatio: false,
      scales: { x: { title: { display: true, text: 'ms per call (log-spaced bins)' } }, y: { title: { display: true, text: 'calls' } } },
      plugins: { legend: { display: false } },
    },
  };
}

function render() {
  for (const chart of charts) chart.destroy();
  charts = [];
  const c = colours();
  Chart.defaults.color = c.muted;
  Chart.defaults.borderColor = c.grid;
  Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  Chart.defaults.animation = false;
  draw('latency', latencyChart(c));
  draw('warm-cold', warmColdChart(c));
  draw('overhead', overheadChart(c));
  draw('cli', cliChart(c));
  draw('samples', samplesChart(c));
  draw('churn', churnChart(c));
}

render();
matchMedia('(prefers-color-scheme: dark)').addEventListener('change', render);
