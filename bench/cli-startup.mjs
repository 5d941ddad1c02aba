// CLI start-up: the wall time of `bin/procdock` commands, against `node -e 0`, on two fresh data
// dirs: one with no hub running (the command opens the data dir itself) and one with a
// `procdock serve` running for it (the command asks it over HTTP).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, path, time } from './stats.mjs';

const commands = [['--help'], ['apps'], ['servers'], ['calls']];

/**
 * Runs `node -e 0` and every command in each state `runs` times, all interleaved in one loop, so a
 * machine that slows down midway moves every figure alike; returns one path per command and state.
 */
export async function cliBench(root, runs, log) {
  const procdock = join(root, 'bin/procdock');
  const homes = { 'no-hub': mkdtempSync(join(tmpdir(), 'procdock-bench-cli-')), hub: mkdtempSync(join(tmpdir(), 'procdock-bench-cli-')) };
  const envOf = (state) => ({ ...process.env, PROCDOCK_HOME: homes[state], PROCDOCK_LOG_LEVEL: 'warn' });
  const hub = await startHub(procdock, envOf('hub'));
  try {
    const runsOf = [
      { key: 'cli-node', label: 'node -e 0', command: process.execPath, args: ['-e', '0'], env: process.env, baseline: true },
      ...extraCaBaseline(),
      ...['no-hub', 'hub'].flatMap((state) =>
        commands.map((args) => ({
          key: `cli-${state}-${args[0].replace(/^--/, '')}`,
          label: `procdock ${args.join(' ')} (${state === 'hub' ? 'hub running' : 'no hub'})`,
          command: procdock,
          args,
          env: envOf(state),
        })),
      ),
    ];
    const timed = await timeRuns(runsOf, runs);
    const paths = Object.fromEntries(runsOf.map((r, i) => [r.key, { ...timed[i], label: r.label }]));
    log(`cli  node -e 0 (baseline)          ${fmt(paths['cli-node'])}`);
    const bare = paths['cli-node-no-extra-ca'];
    if (bare) log(`cli  node -e 0, no NODE_EXTRA_CA_CERTS ${fmt(bare)}   (node before 22 reads the whole bundle at every start)`);
    for (const { key } of runsOf.filter((r) => !r.baseline)) {
      const ratio = paths[key].p50 / paths['cli-node'].p50;
      log(`cli  ${paths[key].label.padEnd(32)} ${fmt(paths[key])}   ${ratio.toFixed(1)}× node -e 0`);
    }
    return paths;
  } finally {
    await hub.stop();
    for (const home of Object.values(homes)) rmSync(home, { recursive: true, force: true });
  }
}

/**
 * `node -e 0` without NODE_EXTRA_CA_CERTS, when the environment sets it: Node before 22 loads that
 * bundle at every start (about 80 ms on this machine), so the baseline and every CLI figure carry
 * it, and this shows how much of them it is.
 */
function extraCaBaseline() {
  if (!process.env.NODE_EXTRA_CA_CERTS) return [];
  const { NODE_EXTRA_CA_CERTS: _, ...env } = process.env;
  return [{ key: 'cli-node-no-extra-ca', label: 'node -e 0 without NODE_EXTRA_CA_CERTS', command: process.execPath, args: ['-e', '0'], env, baseline: true }];
}

/** Times `runs` rounds of every command in turn, after one untimed round. */
async function timeRuns(runsOf, runs) {
  const samples = runsOf.map(() => []);
  for (let round = -1; round < runs; round++) {
    for (const [i, { command, args, env }] of runsOf.entries()) {
      const took = await time(() => run(command, args, env));
      if (round >= 0) samples[i].push(took);
    }
  }
  return samples.map((s, i) => path(runsOf[i].label, s));
}

/** Runs a command to its end; rejects with its stderr when it fails. */
function run(command, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.trim()}`))));
  });
}

/** `procdock serve --port 0` on `env`'s data dir, ready once it prints its URL; `stop()` ends it. */
async function startHub(procdock, env) {
  const child = spawn(procdock, ['serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let output = '';
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`procdock serve did not start in 60 s:\n${output}`)), 60_000);
    const read = (chunk) => {
      output += chunk;
      if (/^INFERENCE_URL=/m.test(output)) resolve(clearTimeout(timer));
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    exited.then((code) => reject(new Error(`procdock serve exited ${code}:\n${output}`)));
  });
  const stop = async () => {
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(killer);
  };
  try {
    await ready;
  } catch (error) {
    await stop();
    throw error;
  }
  return { stop };
}
