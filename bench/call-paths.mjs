// The call paths the bench times, all calling server-everything's `echo`: (a) a persistent direct
// stdio session (the floor), (b) a plain `docker run -i` per call (what Docker's MCP gateway does),
// (c) Procdock cold, (d) Procdock warm with calls spaced like an agent's, (e) bursts of 8, and a
// churn of hundreds of calls, sequential and concurrent.
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { path, sleep, stats, time } from './stats.mjs';

const message = { message: 'bench' };
const everything = 'node_modules/@modelcontextprotocol/server-everything/dist/index.js';

/** An MCP client connected over stdio to `command`; the caller closes it. */
async function stdioClient(command, args, env) {
  const client = new Client({ name: 'bench', version: '1' }, { capabilities: {} });
  await client.connect(new StdioClientTransport({ command, args, stderr: 'ignore', ...(env ? { env } : {}) }));
  return client;
}

/** (a) One session kept open, as an IDE keeps a local server: the floor every path is held to. */
export async function direct(root, rounds) {
  const client = await stdioClient(process.execPath, [join(root, everything), 'stdio']);
  const samples = [];
  try {
    for (let i = 0; i < 5; i++) await client.callTool({ name: 'echo', arguments: message });
    for (let i = 0; i < rounds; i++) {
      samples.push(await time(() => client.callTool({ name: 'echo', arguments: message })));
      await sleep(50);
    }
  } finally {
    await client.close();
  }
  return path('(a) direct stdio session', samples);
}

/**
 * (b) A fresh `docker run -i` of the same image per call: start, initialize, call, stop. Against
 * Podman the baseline is its own CLI (`PROCDOCK_BENCH_RUN_CLI=podman`): the docker CLI cannot attach
 * through Podman's compatible socket.
 */
export async function dockerRun(image, rounds) {
  const cli = process.env.PROCDOCK_BENCH_RUN_CLI ?? 'docker';
  const args = ['run', '-i', '--rm', '--network', 'none', image, 'node', everything, 'stdio'];
  const samples = [];
  for (let i = 0; i < rounds; i++) {
    samples.push(
      await time(async () => {
        // The engine's CLI gets the whole environment: DOCKER_HOST, DOCKER_CONTEXT, CONTAINERS_CONF.
        const client = await stdioClient(cli, args, process.env);
        await client.callTool({ name: 'echo', arguments: message });
        await client.close();
      }),
    );
  }
  return path(`(b) ${cli} run -i per call`, samples);
}

/** One call through the hub, as `procdock call` or the toolkit makes it; says whether it ran warm. */
async function hubCall(hub, phases) {
  const outcome = await hub.run('call', { tool: 'echo', args: message });
  if (outcome.result.isError) throw new Error(`the bench call failed: ${JSON.stringify(outcome.result)}`);
  if (phases && outcome.call.timings) for (const phase of Object.keys(phases)) phases[phase].push(outcome.call.timings[`${phase}_ms`]);
  return outcome.call.warm === true;
}

/**
 * (c) or (d): calls one after another, `spacingMs` apart (or after `between()` settles); counts how
 * many ran warm, and keeps the call log's phases of each (container start, server initialize, the
 * tool's run) as their p50s.
 */
export async function hubCalls(label, hub, count, spacingMs, between) {
  const samples = [];
  const phases = { start: [], init: [], run: [] };
  let warm = 0;
  for (let i = 0; i < count; i++) {
    let ranWarm = false;
    samples.push(await time(async () => (ranWarm = await hubCall(hub, phases))));
    if (ranWarm) warm++;
    if (spacingMs) await sleep(spacingMs);
    await between?.();
  }
  const phaseP50 = Object.fromEntries(Object.entries(phases).map(([phase, values]) => [phase, stats(values).p50]));
  return path(label, samples, { warm, phases: phaseP50 });
}

/**
 * (e) `count` bursts of `size` concurrent calls, `spacingMs` apart; each call is a sample. A first
 * burst comes before them and is reported apart: the pool grows with the demand it has seen, so
 * nothing can be warm for the first (unless the server's `pool` setting asks for that many).
 */
export async function bursts(hub, count, size, spacingMs) {
  const once = async () => {
    let warm = 0;
    const samples = await Promise.all(
      Array.from({ length: size }, async () => {
        let ranWarm = false;
        const took = await time(async () => (ranWarm = await hubCall(hub)));
        if (ranWarm) warm++;
        return took;
      }),
    );
    return { samples, warm };
  };
  const first = await once();
  const samples = [];
  let warm = 0;
  for (let i = 0; i < count; i++) {
    await sleep(spacingMs);
    const burst = await once();
    samples.push(...burst.samples);
    warm += burst.warm;
  }
  const learning = { p50: stats(first.samples).p50, warm: first.warm, n: size };
  return path(`(e) procdock burst of ${size}`, samples, { warm, size, spacingMs, first: learning });
}

/** Hundreds of calls without pause: runs of 50 sequential calls, then 50 in bursts of 8. */
export async function churn(hub, calls) {
  const samples = [];
  const start = performance.now();
  let done = 0;
  while (done < calls) {
    const size = Math.min(done % 100 < 50 ? 1 : 8, calls - done);
    samples.push(...(await Promise.all(Array.from({ length: size }, () => time(() => hubCall(hub))))));
    done += size;
  }
  const seconds = (performance.now() - start) / 1000;
  return path(`churn of ${calls} calls`, samples, { seconds });
}
