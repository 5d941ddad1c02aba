// The HTML report: one self-contained page (Chart.js, styles, script and data inlined) that opens
// offline from file://. Tables are written here; report-client.mjs draws the charts in the page.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { show } from './compare.mjs';
import { overheads } from './figures.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const statColumns = ['n', 'min', 'p5', 'p25', 'p50', 'p75', 'p95', 'max', 'mean'];

/** The report page for `results`, with the comparison rows when the run was compared. */
export function reportHtml(results, comparison) {
  const data = { paths: results.paths, overheads: overheads(results.paths), targets: results.targets, after: results.after };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Procdock bench — ${esc(results.startedAt)}</title>
<style>${readFileSync(join(here, 'report.css'), 'utf8')}</style>
</head>
<body>
<main>
${header(results)}
${cards(results)}
${section('Targets', 'The performance targets of the SPEC, against this run.', targetsTable(results.targets))}
${section('Latency by path', 'Box: p25–p75; whiskers: p5–p95; tick: median. Logarithmic scale.', '<div class="chart tall"><canvas id="latency"></canvas></div>')}
<div class="grid2">
${section('Warm versus cold', 'Median and p95 per path: warm calls, cold calls and the baselines.', '<div class="chart"><canvas id="warm-cold"></canvas></div>')}
${section('Overhead over the direct session', 'p50 minus the p50 of a persistent stdio session, for warm calls in the hub and through the toolkit, in the parts each is made of: a warm call in the hub, the bare HTTP round trip (f) that any HTTP transport pays on this machine, the toolkit\'s own HTTP side, and the SDK client\'s. Target ≤ 5 ms.', '<div class="chart"><canvas id="overhead"></canvas></div>')}
${section('CLI start-up', 'Wall time at the median, fresh data dir. Target ≤ 150 ms; the grey line is <code>node -e 0</code> (and, where <code>NODE_EXTRA_CA_CERTS</code> is set, the lower one is <code>node -e 0</code> without it: Node before 22 reads that bundle at every start).', '<div class="chart"><canvas id="cli"></canvas></div>')}
${section('Every sample, in order', 'Raw samples per call path, in the order they were taken.', '<div class="chart"><canvas id="samples"></canvas></div>')}
</div>
${results.paths.churn ? section('Churn', churnNote(results), '<div class="chart"><canvas id="churn"></canvas></div>') : ''}
${section('Figures per path', 'Milliseconds.', statsTable(results.paths))}
${comparison ? section(`Compared with ${esc(comparison.previous.startedAt ?? 'an earlier run')}`, compareNote(comparison), compareTable(comparison.rows)) : ''}
<footer>Written by <code>npm run bench</code>; every figure is in <code>latest.json</code> beside this page.</footer>
</main>
<script>${chartJs()}</script>
<script type="application/json" id="bench-data">${json(data)}</script>
<script type="module">${readFileSync(join(here, 'report-client.mjs'), 'utf8')}</script>
</body>
</html>
`;
}

function header(results) {
  const { machine, options } = results;
  const docker = machine.docker.version ? `${machine.docker.version} (API ${machine.docker.api}, ${machine.docker.storageDriver})` : 'not reached';
  const chips = [
    ['CPUs', `${machine.cpus.count} × ${machine.cpus.model}`],
    ['Memory', `${machine.memoryGiB} GiB`],
    ['Load', `${machine.loadAverage.join(' / ')}${machine.loadAverageAtEnd ? ` → ${machine.loadAverageAtEnd.join(' / ')}` : ''}`],
    ['OS', machine.os],
    ['Node', machine.node],
    ['Docker', docker],
    ['Procdock', `${machine.procdock.commit}${machine.procdock.changedFiles ? ` + ${machine.procdock.changedFiles} changed files in src/` : ''}`],
  ];
  const mode = options.quick ? 'quick run' : 'full run';
  const only = options.only.length < 8 ? `; only ${options.only.join(', ')}` : '';
  return `<h1>Procdock bench</h1>
<p class="lede">${esc(new Date(results.startedAt).toUTCString())} · ${mode}: ${options.rounds} rounds, warm calls ${options.spacing} ms apart, bursts ${options.burstSpacing ?? 1500} ms apart, churn of ${options.churn}, ${options.cliRuns} CLI runs${esc(only)} · took ${results.durationSeconds} s</p>
<div class="chips">${chips.map(([k, v]) => `<span class="chip">${esc(k)} <b>${esc(v)}</b></span>`).join('')}</div>`;
}

function cards(results) {
  const { targets, figures } = results;
  const passed = targets.filter((t) => t.pass === true).length;
  const measured = targets.filter((t) => t.pass !== null).length;
  const card = (value, label) => (value === undefined ? '' : `<div class="card"><div class="value">${esc(value)}</div><div class="label">${esc(label)}</div></div>`);
  const figure = (key) => figures[key] && show(figures[key].value, figures[key].unit);
  return `<div class="cards">
${card(`${passed} / ${measured}`, 'targets met')}
${card(figure('toolkit-http-call.overhead') && `+${figure('toolkit-http-call.overhead')}`, 'warm toolkit call over direct (http, p50)')}
${card(figure('cold.x-docker-run'), 'cold call / docker run -i')}
${card(figure('churn.seconds'), `churn of ${results.paths.churn?.n} calls`)}
${card(figure('cli-no-hub-apps.p50'), 'procdock apps (p50, no hub)')}
</div>`;
}

function section(title, note, body) {
  return `<section><h2>${esc(title)}</h2><p class="note">${note}</p>${body}</section>`;
}

function targetsTable(targets) {
  const rows = targets.map((t) => {
    const status = t.pass === null ? ['none', '—'] : t.pass ? ['pass', 'PASS'] : ['fail', 'FAIL'];
    return `<tr><td><span class="pill ${status[0]}">${status[1]}</span></td><td>${esc(t.label)}</td><td class="num">${esc(show(t.value, t.unit))}</td><td class="num">≤ ${esc(show(t.limit, t.unit))}</td><td class="note">${esc(t.detail ?? '')}</td></tr>`;
  });
  return `<div class="scroll"><table><thead><tr><th></th><th>Target</th><th class="num">Measured</th><th class="num">Limit</th><th>How</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

function statsTable(paths) {
  const head = statColumns.map((c) => `<th class="num">${c}</th>`).join('');
  const rows = Object.values(paths).map((p) => {
    const cells = statColumns.map((c) => `<td class="num">${c === 'n' ? p.n : p[c].toFixed(2)}</td>`).join('');
    return `<tr><td>${esc(p.label)}</td>${cells}</tr>`;
  });
  return `<div class="scroll"><table><thead><tr><th>Path</th>${head}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

function churnNote(results) {
  const { churn } = results.paths;
  const after = results.after;
  return `${churn.n} calls (runs of 50 sequential calls and 50 in bursts of 8) in ${churn.seconds.toFixed(1)} s; then ${after.containers} containers and ${after.volumes} volumes left, hub RSS ${after.rssMiB.toFixed(0)} MiB. Histogram of call latency.`;
}

function compareNote({ previous }) {
  return `Before: ${esc(previous.machine?.procdock?.commit ?? '?')} on ${esc(previous.machine?.cpus?.count ?? '?')} CPUs, ${previous.options?.quick ? 'quick' : 'full'} run. Ratio = now / before; for times, below 1 is faster.`;
}

function compareTable(rows) {
  const body = rows.map((r) => {
    const tone = r.ratio === null ? '' : r.ratio > 1.1 ? 'worse' : r.ratio < 0.9 ? 'better' : '';
    const ratio = r.ratio === null ? '—' : `${r.ratio.toFixed(2)}×`;
    return `<tr><td>${esc(r.label)}</td><td class="num">${esc(show(r.previous, r.unit))}</td><td class="num">${esc(show(r.now, r.unit))}</td><td class="num ${tone}">${ratio}</td></tr>`;
  });
  return `<div class="scroll"><table><thead><tr><th>Figure</th><th class="num">Before</th><th class="num">Now</th><th class="num">Ratio</th></tr></thead><tbody>${body.join('')}</tbody></table></div>`;
}

/** Chart.js's UMD build, from the installed devDependency. */
function chartJs() {
  const dist = dirname(createRequire(import.meta.url).resolve('chart.js'));
  const source = readFileSync(join(dist, 'chart.umd.min.js'), 'utf8').replace(/\/\/# sourceMappingURL=\S+\s*$/, '');
  return source.replaceAll('</script', '<\\/script');
}

/** JSON that is safe inside a <script> element. */
function json(value) {
  return JSON.stringify(value).replaceAll('<', '\\u003c');
}

function esc(value) {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
