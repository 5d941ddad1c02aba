// From the measured paths to the figures a run is judged and compared by: one flat map of every
// figure, and the SPEC's performance targets with pass or fail.
import { ms } from './stats.mjs';

/** Every figure of a run, keyed for --compare: `{ key: { label, unit, value } }`. */
export function figuresOf(results) {
  const { paths, after } = results;
  const figures = {};
  const add = (key, label, unit, value) => {
    if (Number.isFinite(value)) figures[key] = { label, unit, value: round(value) };
  };
  for (const [key, p] of Object.entries(paths)) {
    add(`${key}.p50`, `${p.label} p50`, 'ms', p.p50);
    add(`${key}.p95`, `${p.label} p95`, 'ms', p.p95);
    if (p.warm !== undefined) add(`${key}.warm`, `${p.label}: share served warm`, '%', (100 * p.warm) / p.n);
    for (const [phase, value] of Object.entries(p.phases ?? {})) add(`${key}.${phase}`, `${p.label}: ${phase} phase p50`, 'ms', value);
  }
  for (const [key, value] of Object.entries(overheads(paths))) add(`${key}.overhead`, `${paths[key].label}: p50 over (a)`, 'ms', value);
  add('cold.x-docker-run', '(c) cold / (b) docker run at p50', '×', paths.cold?.p50 / paths['docker-run']?.p50);
  add('cold.x-direct', '(c) cold / (a) direct at p50', '×', paths.cold?.p50 / paths.direct?.p50);
  add('cold.x-warm', '(c) cold / (d) warm at p50', '×', paths.cold?.p50 / paths.warm?.p50);
  for (const key of Object.keys(paths).filter((k) => k.startsWith('cli-') && !k.startsWith('cli-node'))) {
    add(`${key}.x-node`, `${paths[key].label} / node -e 0 at p50`, '×', paths[key].p50 / paths['cli-node'].p50);
  }
  // What the toolkit adds of its own: a bare client's call less a warm call in the hub and a bare HTTP round trip.
  for (const t of ['http', 'sse']) {
    add(`toolkit-${t}-call-wire.hub-share`, `toolkit ${t}, bare client: p50 less (d) and (f)`, 'ms', paths[`toolkit-${t}-call-wire`]?.p50 - paths.warm?.p50 - paths['http-floor']?.p50);
  }
  add('burst.first.p50', 'first burst of 8, while the pool grows: p50', 'ms', paths.burst?.first?.p50);
  add('toolkit-http-list.tools', 'tools in tools/list', 'tools', paths['toolkit-http-list']?.tools);
  add('churn.seconds', `churn of ${paths.churn?.n} calls: wall time`, 's', paths.churn?.seconds);
  add('churn.cpu-per-call', 'churn: the machine busy, per call', 'CPU-s', paths.churn?.cpuSecondsPerCall);
  add('cold.back-to-back.p50', '(c) cold calls back to back: p50', 'ms', paths.cold?.backToBack?.p50);
  add('after.containers', 'containers left behind', 'containers', after?.containers);
  add('after.volumes', 'volumes left behind', 'volumes', after?.volumes);
  add('after.rss', 'hub RSS after the churn', 'MiB', after?.rssMiB);
  return figures;
}

/** p50 of each warm path minus the direct session's p50, in ms. */
export function overheads(paths) {
  const floor = paths.direct?.p50;
  const warmPaths = ['warm', 'burst', 'toolkit-http-call-wire', 'toolkit-http-call', 'toolkit-sse-call-wire', 'toolkit-sse-call'].filter((k) => paths[k]);
  return Object.fromEntries(warmPaths.map((k) => [k, paths[k].p50 - floor]).filter(([, v]) => Number.isFinite(v)));
}

/** The churn's wall time, and the least it could take on this machine's CPUs at the CPU it used. */
function churnDetail(churn, cpus) {
  if (!churn) return undefined;
  const how = churn.n === 500 ? 'wall time' : `scaled from ${churn.n} calls`;
  if (!churn.cpuSecondsPerCall || !cpus) return how;
  return `${how}; ${churn.cpuSecondsPerCall.toFixed(2)} CPU-s busy a call: at least ${((churn.cpuSecondsPerCall * 500) / cpus).toFixed(0)} s on ${cpus} CPUs`;
}

/** The SPEC's targets, each `{ label, limit, value, unit, pass, detail }`; pass is null when not measured. */
export function targetsOf(results) {
  const { paths, after } = results;
  const over = overheads(paths);
  const churnCalls = paths.churn?.n;
  const targets = [
    target('Warm call in the hub over direct', over.warm, 'ms', 5, paths.warm && `p50; ${paths.warm.warm}/${paths.warm.n} calls warm`),
    ...['http', 'sse'].map((t) => target(`Warm toolkit call over direct, ${t}`, over[`toolkit-${t}-call`], 'ms', 5, toolkitDetail(paths, over, t))),
    // How fast the hub answers: a bare client's figure. The SDK client's (beside it in the output) adds its own validation of every tool.
    ...['http', 'sse'].map((t) => {
      const list = paths[`toolkit-${t}-list-wire`];
      const sdk = paths[`toolkit-${t}-list`];
      const listed = target(`tools/list of 200+ tools, ${t}`, list?.p50, 'ms', 3, `p50 of ${list?.tools} tools, bare client (SDK client ${sdk ? ms(sdk.p50) : '—'} ms)`);
      return list?.tools < 200 ? { ...listed, pass: false, detail: `only ${list.tools} tools` } : listed;
    }),
    target('Bursts of 8 served warm', paths.burst?.p50, 'ms', 50, paths.burst && `p50; ${paths.burst.warm}/${paths.burst.n} calls warm, bursts ${(paths.burst.spacingMs ?? 1500) / 1000} s apart after one that grew the pool`),
    target('Cold call / docker run -i', paths.cold?.p50 / paths['docker-run']?.p50, '×', 0.35, 'at p50'),
    target('Churn of 500 calls', (paths.churn?.seconds * 500) / churnCalls, 's', 120, churnDetail(paths.churn, results.machine?.cpus.count)),
    target('Containers left behind', after?.containers, '', 0, 'label procdock.home of this run'),
    target('Volumes left behind', after?.volumes, '', 0, 'label procdock.managed=true'),
    target('Hub RSS after the churn', after?.rssMiB, 'MiB', 100, 'a process holding the hub and the churn loop'),
  ];
  for (const state of ['no-hub', 'hub']) {
    for (const command of ['help', 'apps', 'servers', 'calls']) {
      const p = paths[`cli-${state}-${command}`];
      targets.push(target(`CLI ${command === 'help' ? '--help' : command}, ${state === 'hub' ? 'hub running' : 'no hub'}`, p?.p50, 'ms', 150, cliDetail(paths)));
    }
  }
  return targets;
}

/**
 * Where a toolkit call's time over the direct session goes: a warm call in the hub, the HTTP round
 * trip any transport pays on this machine, the hub's HTTP side, and the SDK client's own.
 */
function toolkitDetail(paths, over, t) {
  const wire = paths[`toolkit-${t}-call-wire`]?.p50;
  const sdk = paths[`toolkit-${t}-call`]?.p50;
  const floor = paths['http-floor']?.p50;
  if (![over.warm, wire, sdk, floor].every(Number.isFinite)) return 'p50, over a persistent stdio session';
  const hubShare = wire - paths.warm.p50 - floor;
  return `p50 = warm in the hub +${ms(over.warm)} + bare HTTP round trip ${ms(floor)} + the toolkit's HTTP side ${ms(hubShare)} + the SDK client ${ms(sdk - wire)}`;
}

function target(label, value, unit, limit, detail) {
  const measured = value !== undefined && !Number.isNaN(value);
  return { label, limit, unit, value: measured ? round(value) : null, pass: measured ? value <= limit : null, detail: measured ? detail : 'not measured' };
}

const round = (value) => (Number.isFinite(value) ? Math.round(value * 1000) / 1000 : value);

/** The CLI rows' note: node's own start beside them, and what NODE_EXTRA_CA_CERTS adds to it here. */
function cliDetail(paths) {
  const node = paths['cli-node']?.p50;
  const bare = paths['cli-node-no-extra-ca']?.p50;
  if (node === undefined) return 'p50 wall time';
  return `p50 wall time; node -e 0 ${ms(node)} ms${bare === undefined ? '' : `, ${ms(bare)} ms without NODE_EXTRA_CA_CERTS`}`;
}
