// npm run bench: Procdock's call paths against their baselines, in one run, as ratios; CLI
// start-up against `node -e 0`; what a churn leaves behind. Prints the figures, judges them
// against the SPEC's targets, and writes bench/results/latest.json (and a timestamped copy) and
// bench/results/report.html. Options: see bench/options.mjs (`npm run bench -- --help`).
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { bursts, direct, dockerRun, hubCalls } from './call-paths.mjs';
import { cliBench } from './cli-startup.mjs';
import { compareFigures, printComparison, readPrevious, show } from './compare.mjs';
import { figuresOf, overheads, targetsOf } from './figures.mjs';
import { loadAverage, machineInfo } from './machine.mjs';
import { parseOptions } from './options.mjs';
import { reportHtml } from './report.mjs';
import { fmt, ms, sleep } from './stats.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const log = (...a) => console.log(...a);
const hubSections = ['docker', 'cold', 'warm', 'burst', 'toolkit', 'churn'];

async function main() {
  const { options, previous } = readArguments();
  const docker = new Docker();
  const needsDocker = options.only.some((s) => hubSections.includes(s));
  if (needsDocker) await docker.ping().catch(() => fail('npm run bench needs a Docker engine (or --only=cli,direct)'));
  const started = new Date();
  const results = { schema: 'procdock-bench/1', startedAt: started.toISOString(), options, machine: await machineInfo(root, docker), paths: {} };
  log(`Procdock bench${options.quick ? ' (quick)' : ''}: ${options.only.join(', ')}; ${options.rounds} rounds, warm calls ${options.spacing} ms apart`);
  // Other work on the machine moves every figure: say how busy it was, so runs are compared fairly.
  log(`${results.machine.cpus.count} CPUs, load average ${results.machine.loadAverage.join(' / ')} (1, 5, 15 min)\n`);

  if (options.only.includes('cli')) Object.assign(results.paths, await cliBench(root, options.cliRuns, log));
  if (options.only.includes('direct')) {
    results.paths.direct = await direct(root, options.rounds);
    log(`(a) direct stdio session      ${fmt(results.paths.direct)}`);
  }
  if (needsDocker) await callPathSections(results, options, docker);

  results.finishedAt = new Date().toISOString();
  results.machine.loadAverageAtEnd = loadAverage();
  results.durationSeconds = Math.round((Date.now() - started.getTime()) / 1000);
  results.figures = figuresOf(results);
  results.targets = targetsOf(results);
  printSummary(results);
  const comparison = previous && { previous, rows: compareFigures(previous.figures, results.figures) };
  if (comparison) printComparison(comparison.rows, previous, log);
  writeResults(results, comparison, options.out ?? join(root, 'bench/results'));
  if (results.after?.containers || results.after?.volumes) process.exitCode = 1;
}

function readArguments() {
  try {
    const options = parseOptions(process.argv.slice(2));
    return { options, previous: options.compare ? readPrevious(options.compare) : undefined };
  } catch (error) {
    return fail(error.message, 2);
  }
}

function fail(message, code = 1) {
  console.error(message);
  process.exit(code);
}

/** The sections that need the bench app in a sandbox: (b) to (e), the toolkit and the churn. */
async function callPathSections(results, options, docker) {
  const { BenchFixture } = await import('./fixture.mjs');
  const fixture = new BenchFixture(root, docker);
  try {
    await fixture.start();
    const has = (section) => options.only.includes(section);
    if (has('docker')) {
      results.paths['docker-run'] = await dockerRun(fixture.app.image, Math.min(options.rounds, 15));
      log(`${results.paths['docker-run'].label.padEnd(30)}${fmt(results.paths['docker-run'])}`);
    }
    if (has('cold')) results.paths.cold = await coldCalls(fixture, options);
    if (['warm', 'burst', 'toolkit'].some(has)) await warmSections(results, options, fixture, has);
    if (has('churn')) {
      const { path, rssMiB } = await churnApart(fixture, options.churn);
      results.paths.churn = path;
      results.after = { rssMiB };
      log(`\nchurn: ${path.n} calls (sequential and bursts of 8) in ${path.seconds.toFixed(1)} s; hub RSS ${rssMiB.toFixed(0)} MiB (a process of its own)`);
      const cpus = results.machine.cpus.count;
      log(`    the machine was busy ${path.cpuSecondsPerCall.toFixed(2)} CPU-s a call: on ${cpus} CPUs at least ${((path.cpuSecondsPerCall * path.n) / cpus).toFixed(0)} s for ${path.n}`);
    }
    results.after = { ...results.after, ...(await fixture.leftovers()) };
    log(`left behind: ${results.after.containers} containers, ${results.after.volumes} volumes   (target 0)`);
  } finally {
    await fixture.dispose();
  }
}

async function coldCalls(fixture, options) {
  const hub = fixture.hub();
  try {
    await hub.start();
    await hubCalls('warm-up', hub, 2, 0);
    // Each from an idle engine, as each `docker run -i --rm` of (b) is: that one returns only once its
    // container is removed, while the hub answers first and removes the container after.
    const rounds = Math.min(options.rounds, 15);
    const cold = await hubCalls('(c) procdock cold', hub, rounds, 0, () => fixture.settled());
    log(`(c) procdock cold             ${fmt(cold)}`);
    log(`    its phases at p50: container start ${ms(cold.phases.start)} ms, server initialize ${ms(cold.phases.init)} ms, the tool ${ms(cold.phases.run)} ms`);
    const busy = await hubCalls('(c) cold, back to back', hub, rounds, 0);
    log(`    back to back, each beside the removal of the one before: ${fmt(busy)}`);
    return { ...cold, backToBack: { p50: busy.p50, p95: busy.p95, n: busy.n, phases: busy.phases } };
  } finally {
    await hub.close();
  }
}

/** (d), (e) and the toolkit, on one hub with warm pools. */
async function warmSections(results, options, fixture, has) {
  const { paths } = results;
  const hub = fixture.hub({ warmPools: true });
  try {
    await hub.start();
    await sleep(3000); // the first warm container starts
    if (has('warm')) {
      paths.warm = await hubCalls('(d) procdock warm', hub, options.rounds, options.spacing);
      log(`(d) procdock warm             ${fmt(paths.warm)}   warm ${paths.warm.warm}/${paths.warm.n}`);
    }
    if (has('burst')) {
      paths.burst = await bursts(hub, options.bursts || Math.max(3, Math.round(options.rounds / 8)), 8, options.burstSpacing);
      const { first } = paths.burst;
      log(`(e) procdock burst of 8       ${fmt(paths.burst)}   warm ${paths.burst.warm}/${paths.burst.n}, ${options.burstSpacing / 1000} s apart`);
      log(`    after a first burst that grew the pool: p50 ${ms(first.p50)} ms, warm ${first.warm}/${first.n}`);
    }
    if (has('toolkit')) {
      log('');
      const { toolkitBench } = await import('./toolkit.mjs');
      Object.assign(paths, await toolkitBench(hub, fixture, options, log));
    }
  } finally {
    await hub.close();
  }
}

/** The churn on a hub in a child process (bench/churn-child.mjs): its wall time, and that process's RSS after it. */
function churnApart(fixture, calls) {
  return new Promise((resolve, reject) => {
    const child = fork(join(root, 'bench/churn-child.mjs'), [fixture.home, String(calls)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let answer;
    child.once('message', (message) => (answer = message));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (answer?.error) reject(new Error(`the churn failed: ${answer.error}`));
      else if (answer) resolve(answer);
      else reject(new Error(`the churn's process ended with code ${code} before it answered`));
    });
  });
}

function printSummary(results) {
  const { figures, targets, paths } = results;
  log('');
  for (const [key, value] of Object.entries(overheads(paths))) log(`${paths[key].label.padEnd(32)} over (a) at p50: ${value >= 0 ? '+' : ''}${value.toFixed(2)} ms`);
  for (const key of ['cold.x-docker-run', 'cold.x-direct', 'cold.x-warm']) {
    if (figures[key]) log(`${figures[key].label.padEnd(45)} ${show(figures[key].value, '×')}`);
  }
  log('\nTargets (SPEC, Performance):');
  const width = Math.max(...targets.map((t) => t.label.length));
  for (const t of targets) {
    const status = t.pass === null ? '  —  ' : t.pass ? ' PASS' : ' FAIL';
    log(`${status}  ${t.label.padEnd(width)}  ${show(t.value, t.unit).padStart(10)}  ≤ ${show(t.limit, t.unit).padEnd(8)}  ${t.detail ?? ''}`);
  }
  const measured = targets.filter((t) => t.pass !== null);
  log(`${measured.filter((t) => t.pass).length} of ${measured.length} measured targets met; load average at the end ${results.machine.loadAverageAtEnd.join(' / ')}`);
}

/** latest.json, a timestamped copy beside it, and report.html. */
function writeResults(results, comparison, dir) {
  mkdirSync(dir, { recursive: true });
  const json = `${JSON.stringify(results, null, 1)}\n`;
  const stamp = results.startedAt.slice(0, 19).replaceAll(':', '-');
  const files = [join(dir, 'latest.json'), join(dir, `${stamp}.json`), join(dir, 'report.html')];
  writeFileSync(files[0], json);
  writeFileSync(files[1], json);
  writeFileSync(files[2], reportHtml(results, comparison));
  log(`\nwrote ${files.map((f) => relative(process.cwd(), resolve(f))).join(', ')}`);
}

await main();
