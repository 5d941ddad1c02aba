// npm run bench: Procdock's call paths against their baselines, in one run, as ratios.
// (a) a persistent direct stdio session (the floor), (b) a plain `docker run -i` per call (what
// Docker's MCP gateway does), (c) Procdock cold, (d) Procdock warm with calls spaced like an agent's,
// (e) bursts of 8 concurrent calls; then a churn of hundreds of calls and what is left behind.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import Docker from 'dockerode';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import pino from 'pino';
import { Hub } from '../dist/hub/hub.js';
import { HubServer } from '../dist/http/hub-server.js';
import { DockerSandbox } from '../dist/sandbox/docker-sandbox.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const rounds = Number(args.rounds ?? 30);
const spacingMs = Number(args.spacing ?? 1500);
const churn = Number(args.churn ?? 500);
const baseImage = process.env.PROCDOCK_BASE_IMAGE_NODE ?? 'procdock-test/node:20';
const message = { message: 'bench' };

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const now = () => performance.now();
function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { n: sorted.length, p50: at(0.5), p95: at(0.95) };
}
const fmt = (s) => `p50 ${s.p50.toFixed(1).padStart(7)} ms   p95 ${s.p95.toFixed(1).padStart(7)} ms   (n=${s.n})`;
const log = (...a) => console.log(...a);

async function time(work) {
  const start = now();
  await work();
  return now() - start;
}

/** The app the bench registers: server-everything as a user would install it. */
function makeApp() {
  const dir = mkdtempSync(join(tmpdir(), 'procdock-bench-'));
  const app = join(dir, 'everything');
  mkdirSync(app);
  const { version } = JSON.parse(execFileSync('node', ['-p', "JSON.stringify(require('@modelcontextprotocol/server-everything/package.json'))"], { cwd: root }).toString());
  writeFileSync(join(app, 'Procfile'), 'mcp-everything: node node_modules/@modelcontextprotocol/server-everything/dist/index.js stdio\n');
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'bench-everything', private: true, dependencies: { '@modelcontextprotocol/server-everything': version } }));
  return { dir, app };
}

async function direct() {
  const client = new Client({ name: 'bench', version: '1' }, { capabilities: {} });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [join(root, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js'), 'stdio'], stderr: 'ignore' }));
  const samples = [];
  for (let i = 0; i < 5; i++) await client.callTool({ name: 'echo', arguments: message });
  for (let i = 0; i < rounds; i++) {
    samples.push(await time(() => client.callTool({ name: 'echo', arguments: message })));
    await sleep(50);
  }
  await client.close();
  return stats(samples);
}

async function dockerRun(image) {
  const samples = [];
  for (let i = 0; i < Math.min(rounds, 15); i++) {
    samples.push(
      await time(async () => {
        const client = new Client({ name: 'bench', version: '1' }, { capabilities: {} });
        await client.connect(
          new StdioClientTransport({
            command: 'docker',
            args: ['run', '-i', '--rm', '--network', 'none', image, 'node', 'node_modules/@modelcontextprotocol/server-everything/dist/index.js', 'stdio'],
            stderr: 'ignore',
          }),
        );
        await client.callTool({ name: 'echo', arguments: message });
        await client.close();
      }),
    );
  }
  return stats(samples);
}

async function hubCalls(hub, count, spacing) {
  const samples = [];
  let warm = 0;
  for (let i = 0; i < count; i++) {
    let outcome;
    samples.push(await time(async () => (outcome = await hub.run('call', { tool: 'echo', args: message }))));
    if (outcome.result.isError) throw new Error(JSON.stringify(outcome.result));
    if (outcome.call.warm) warm++;
    if (spacing) await sleep(spacing);
  }
  return { ...stats(samples), warm };
}

async function bursts(hub, count, size) {
  const samples = [];
  for (let i = 0; i < count; i++) {
    const results = await Promise.all(Array.from({ length: size }, () => time(() => hub.run('call', { tool: 'echo', args: message }))));
    samples.push(...results);
    await sleep(spacingMs);
  }
  return stats(samples);
}

/** The toolkit over HTTP: tools/list with 200 tools attached, and warm calls through each transport. */
async function toolkitBench(hub, dir, direct) {
  const many = join(dir, 'many');
  mkdirSync(many);
  for (const file of ['many-tools.mjs', 'mini-mcp.mjs']) writeFileSync(join(many, file), readFileSync(join(root, 'test/fixtures/servers', file)));
  writeFileSync(join(many, 'Procfile'), 'mcp-many: node many-tools.mjs\n');
  await hub.run('apps.add', { path: many });
  const server = new HubServer(hub, { host: '127.0.0.1', port: 0, adminToken: 'bench', logger: pino({ level: 'silent' }) });
  const url = await server.start();
  const key = (await hub.run('key', {})).INFERENCE_KEY;
  const headers = { Authorization: `Bearer ${key}` };
  const result = { calls: {} };
  for (const [name, make] of [
    ['http', () => new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers } })],
    ['sse', () => new SSEClientTransport(new URL(`${url}/mcp/sse`), { requestInit: { headers } })],
  ]) {
    const client = new Client({ name: 'bench', version: '1' }, { capabilities: {} });
    await client.connect(make());
    const lists = [];
    let tools = 0;
    for (let i = 0; i < 20; i++) lists.push(await time(async () => (tools = (await client.listTools()).tools.length)));
    log(`toolkit ${name.padEnd(4)} tools/list (${tools} tools)   ${fmt(stats(lists))}`);
    const calls = [];
    await sleep(2000);
    for (let i = 0; i < Math.min(rounds, 20); i++) {
      calls.push(await time(() => client.callTool({ name: 'echo', arguments: message })));
      await sleep(spacingMs);
    }
    result.calls[name] = stats(calls);
    log(`toolkit ${name.padEnd(4)} warm tools/call        ${fmt(result.calls[name])}   vs (a) +${(result.calls[name].p50 - direct.p50).toFixed(1)} ms`);
    await client.close();
  }
  await server.close();
  await hub.run('apps.remove', { name: 'many' });
  return result;
}

async function main() {
  const docker = new Docker();
  await docker.ping().catch(() => {
    console.error('npm run bench needs a Docker engine');
    process.exit(1);
  });
  execFileSync(join(root, 'test/images/build.sh'), [baseImage], { stdio: 'inherit' });
  const { dir, app } = makeApp();
  const home = join(dir, 'home');
  const homeId = createHash('sha256').update(home).digest('hex').slice(0, 12);
  const sandbox = () => new DockerSandbox({ dataDir: home, baseImages: { node: baseImage, python: '', ruby: '', go: '' } });

  log(`Procdock bench: server-everything echo, ${rounds} rounds, warm calls ${spacingMs} ms apart\n`);
  const cold = new Hub({ dataDir: home, sandbox: sandbox() });
  await cold.start();
  const added = await cold.run('apps.add', { path: app });
  if (added.build_status !== 'built') throw new Error(added.build_error);
  const image = added.image;

  const a = await direct();
  log(`(a) direct stdio session      ${fmt(a)}`);
  const b = await dockerRun(image);
  log(`(b) docker run -i per call    ${fmt(b)}`);
  await hubCalls(cold, 2, 0);
  const c = await hubCalls(cold, Math.min(rounds, 15), 0);
  log(`(c) procdock cold             ${fmt(c)}`);
  await cold.close();

  const hub = new Hub({ dataDir: home, sandbox: sandbox(), warmPools: true });
  await hub.start();
  await sleep(3000);
  const d = await hubCalls(hub, rounds, spacingMs);
  log(`(d) procdock warm             ${fmt(d)}   warm ${d.warm}/${d.n}`);
  const e = await bursts(hub, Math.max(3, Math.round(rounds / 8)), 8);
  log(`(e) procdock burst of 8       ${fmt(e)}`);

  log('');
  const toolkit = await toolkitBench(hub, dir, a);

  log('');
  log(`warm overhead over (a) at p50: ${(d.p50 - a.p50).toFixed(1)} ms   (target ≤ 15 ms)`);
  for (const [name, s] of Object.entries(toolkit.calls)) {
    log(`toolkit ${name.padEnd(4)} warm overhead over (a) at p50: ${(s.p50 - a.p50).toFixed(1)} ms   (target ≤ 15 ms)`);
  }
  log(`cold / docker run at p50:     ${(c.p50 / b.p50).toFixed(2)}×     (target ≤ 1.10×)`);
  log(`cold / direct at p50:         ${(c.p50 / a.p50).toFixed(1)}×`);

  const churnStart = now();
  let done = 0;
  while (done < churn) {
    const size = done % 100 < 50 ? 1 : 8;
    await Promise.all(Array.from({ length: Math.min(size, churn - done) }, () => hub.run('call', { tool: 'echo', args: message })));
    done += size;
  }
  const churnSeconds = (now() - churnStart) / 1000;
  const rss = process.memoryUsage().rss / 1024 / 1024;
  await hub.close();
  const left = await docker.listContainers({ all: true, filters: { label: [`procdock.home=${homeId}`] } });
  log(`churn: ${churn} calls (sequential and bursts of 8) in ${churnSeconds.toFixed(1)} s; hub RSS ${rss.toFixed(0)} MiB`);
  log(`containers left behind: ${left.length}   (target 0)`);
  const cleanup = new Hub({ dataDir: home, sandbox: sandbox() });
  await cleanup.run('apps.remove', { name: added.name });
  await cleanup.close();
  rmSync(dir, { recursive: true, force: true });
  if (left.length > 0) process.exitCode = 1;
}

await main();
