// The toolkit over HTTP, as an MCP client sees it: tools/list with 200+ tools attached, and warm
// calls spaced like an agent's, through each transport (Streamable HTTP and SSE).
import http from 'node:http';
import { Worker } from 'node:worker_threads';
import pino from 'pino';
import { HubServer } from '../dist/http/hub-server.js';
import { fmt, path } from './stats.mjs';

const listRounds = 20;

/**
 * Times both transports on `hub` with the many-tools fixture attached; returns one path per figure.
 * The client runs on a worker thread, as a client is a process of its own: what it spends on fetch
 * and on validating 200+ tools is not spent on the hub's event loop.
 */
export async function toolkitBench(hub, fixture, { rounds, spacing }, log) {
  const many = fixture.writeFixtureApp('many', ['many-tools.mjs', 'mini-mcp.mjs'], 'mcp-many: node many-tools.mjs\n');
  await hub.run('apps.add', { path: many });
  const server = new HubServer(hub, { host: '127.0.0.1', port: 0, adminToken: 'bench', logger: pino({ level: 'silent' }) });
  const url = await server.start();
  const headers = { Authorization: `Bearer ${(await hub.run('key', {})).INFERENCE_KEY}` };
  const floor = await floorServer();
  const paths = {};
  try {
    for (const transport of ['http', 'sse']) {
      // The floor once, beside the first transport: the same client, spacing and process.
      const floorUrl = transport === 'http' ? floor.url : undefined;
      const { tools, list, calls, wire, floor: floorCalls } = await runClient({ url, headers, transport, listRounds, callRounds: Math.min(rounds, 20), spacing, floorUrl });
      if (floorCalls) {
        paths['http-floor'] = path('(f) bare HTTP round trip', floorCalls);
        log(`(f) bare HTTP round trip      ${fmt(paths['http-floor'])}   (a node:http server in the hub's process, no hub)`);
      }
      paths[`toolkit-${transport}-list`] = path(`toolkit ${transport} tools/list`, list, { tools });
      log(`toolkit ${transport.padEnd(4)} tools/list (${tools} tools)   ${fmt(paths[`toolkit-${transport}-list`])}`);
      paths[`toolkit-${transport}-call`] = path(`toolkit ${transport} warm tools/call`, calls);
      log(`toolkit ${transport.padEnd(4)} warm tools/call        ${fmt(paths[`toolkit-${transport}-call`])}`);
      if (wire) {
        paths[`toolkit-${transport}-list-wire`] = path(`toolkit ${transport} tools/list, bare client`, wire.list, { tools });
        paths[`toolkit-${transport}-call-wire`] = path(`toolkit ${transport} warm tools/call, bare client`, wire.calls);
        log(`  the same with a bare node:http client (no fetch, no validation): the hub's share`);
        log(`  tools/list (${tools} tools)        ${fmt(paths[`toolkit-${transport}-list-wire`])}`);
        log(`  warm tools/call                ${fmt(paths[`toolkit-${transport}-call-wire`])}`);
      }
    }
  } finally {
    floor.server.closeAllConnections();
    floor.server.close();
    await server.close();
    await hub.run('apps.remove', { name: 'many' });
  }
  return paths;
}

/** A node:http server that answers any POST at once with a tools/call result the size of echo's. */
async function floorServer() {
  const answer = JSON.stringify({ result: { content: [{ type: 'text', text: 'Echo: bench' }] }, jsonrpc: '2.0', id: 1 });
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      JSON.parse(Buffer.concat(chunks).toString());
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) }).end(answer);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${server.address().port}/mcp` };
}

function runClient(workerData) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./toolkit-client.mjs', import.meta.url), { workerData });
    let answer;
    worker.once('message', (message) => (answer = message));
    worker.once('error', reject);
    worker.once('exit', (code) => (answer ? resolve(answer) : reject(new Error(`the toolkit client ended with code ${code} before it answered`))));
  });
}
