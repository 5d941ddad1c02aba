// CLI start-up: the wall time of `bin/procdock` commands, against `node -e 0`, each with a fresh
// data dir: once with no hub running (the command opens the data dir itself) and once with a
// `procdock serve` running for that data dir (the command asks it over HTTP).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, path, time } from './stats.mjs';

const commands = [['--help'], ['apps'], ['servers'], ['calls']];

/** Runs every command `runs` times in each state, interleaved; returns one path per command and state. */
export async function cliBench(root, runs, log) {
  const procdock = join(root, 'bin/procdock');
  const paths = {};
  paths['cli-node'] = await timeRuns('node -e 0', [[process.execPath, ['-e', '0']]], runs, process.env).then((p) => p[0]);
  log(`cli  node -e 0 (baseline)          ${fmt(paths['cli-node'])}`);
  for (const state of ['no-hub', 'hub']) {
    const home = mkdtempSync(join(tmpdir(), 'procdock-bench-cli-'));
    const env = { ...process.env, PROCDOCK_HOME: home, PROCDOCK_LOG_LEVEL: 'warn' };
    const hub = state === 'hub' ? await startHub(procdock, env) : undefined;
    try {
      const runsOf = commands.map((args) => [procdock, args]);
      const timed = await timeRuns(state, runsOf, runs, env);
      commands.forEach((args, i) => {
        const key = `cli-${state}-${args[0].replace(/^--/, '')}`;
        paths[key] = { ...timed[i], label: `procdock ${args.join(' ')} (${state === 'hub' ? 'hub running' : 'no hub'})` };
        const ratio = paths[key].p50 / paths['cli-node'].p50;
        log(`cli  ${paths[key].label.padEnd(32)} ${fmt(paths[key])}   ${ratio.toFixed(1)}× node -e 0`);
      });
    } finally {
      await hub?.stop();
      rmSync(home, { recursive: true, force: true });
    }
  }
  return paths;
}

/** Times `runs` rounds of every [command, args] in turn, after one untimed round. */
async function timeRuns(label, commandsToRun, runs, env) {
  const samples = commandsToRun.map(() => []);
  for (let round = -1; round < runs; round++) {
    for (const [i, [command, args]] of commandsToRun.entries()) {
      const took = await time(() => run(command, args, env));
      if (round >= 0) samples[i].push(took);
    }
  }
  return samples.map((s, i) => path(`${label} ${commandsToRun[i][1].join(' ')}`, s));
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
