// What the figures were measured on, so two runs can be told apart before they are compared.
import { execFileSync } from 'node:child_process';
import os from 'node:os';

/** CPUs, memory, OS, Node, the Docker engine and the Procdock commit of this run. */
export async function machineInfo(root, docker) {
  const cpus = os.cpus();
  return {
    hostname: os.hostname(),
    cpus: { count: cpus.length, model: cpus[0]?.model.trim() ?? 'unknown' },
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    loadAverage: loadAverage(),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    docker: await dockerInfo(docker),
    procdock: gitRevision(root),
  };
}

/** CPU-seconds the whole machine has spent busy (every CPU, every process) since it booted. */
export function busyCpuSeconds() {
  return os.cpus().reduce((sum, { times }) => sum + times.user + times.nice + times.sys + times.irq, 0) / 1000;
}

/** The 1, 5 and 15 minute load averages, rounded. */
export function loadAverage() {
  return os.loadavg().map((l) => Math.round(l * 100) / 100);
}

async function dockerInfo(docker) {
  try {
    const [version, info] = await Promise.all([docker.version(), docker.info()]);
    return { version: version.Version, api: version.ApiVersion, cpus: info.NCPU, memoryGiB: Math.round((info.MemTotal / 1024 ** 3) * 10) / 10, storageDriver: info.Driver };
  } catch (error) {
    return { error: error.message };
  }
}

function gitRevision(root) {
  const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    return { commit: git('rev-parse', '--short', 'HEAD'), changedFiles: git('status', '--porcelain', '--', 'src').split('\n').filter(Boolean).length };
  } catch {
    return { commit: 'unknown', changedFiles: 0 };
  }
}
