// The toolkit over HTTP, as an MCP client sees it: tools/list with 200+ tools attached, and warm
// calls spaced like an agent's, through each transport (Streamable HTTP and SSE).
import pino from 'pino';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { HubServer } from '../dist/http/hub-server.js';
import { fmt, path, sleep, time } from './stats.mjs';

const message = { message: 'bench' };
const listRounds = 20;

const transports = {
  http: (url, headers) => new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers } }),
  sse: (url, headers) => new SSEClientTransport(new URL(`${url}/mcp/sse`), { requestInit: { headers } }),
};

/** Times both transports on `hub` with the many-tools fixture attached; returns one path per figure. */
export async function toolkitBench(hub, fixture, { rounds, spacing }, log) {
  const many = fixture.writeFixtureApp('many', ['many-tools.mjs', 'mini-mcp.mjs'], 'mcp-many: node many-tools.mjs\n');
  await hub.run('apps.add', { path: many });
  const server = new HubServer(hub, { host: '127.0.0.1', port: 0, adminToken: 'bench', logger: pino({ level: 'silent' }) });
  const url = await server.start();
  const headers = { Authorization: `Bearer ${(await hub.run('key', {})).INFERENCE_KEY}` };
  const paths = {};
  try {
    for (const [name, make] of Object.entries(transports)) {
      const client = new Client({ name: 'bench', version: '1' }, { capabilities: {} });
      await client.connect(make(url, headers));
      try {
        paths[`toolkit-${name}-list`] = await listTools(client, name);
        log(`toolkit ${name.padEnd(4)} tools/list (${paths[`toolkit-${name}-list`].tools} tools)   ${fmt(paths[`toolkit-${name}-list`])}`);
        await sleep(2000); // let the warm pools refill after the app was added
        paths[`toolkit-${name}-call`] = await warmCalls(client, name, Math.min(rounds, 20), spacing);
        log(`toolkit ${name.padEnd(4)} warm tools/call        ${fmt(paths[`toolkit-${name}-call`])}`);
      } finally {
        await client.close();
      }
    }
  } finally {
    await server.close();
    await hub.run('apps.remove', { name: 'many' });
  }
  return paths;
}

async function listTools(client, transport) {
  let tools = 0;
  for (let i = 0; i < 3; i++) await client.listTools();
  const samples = [];
  for (let i = 0; i < listRounds; i++) samples.push(await time(async () => (tools = (await client.listTools()).tools.length)));
  return path(`toolkit ${transport} tools/list`, samples, { tools });
}

async function warmCalls(client, transport, count, spacing) {
  const samples = [];
  for (let i = 0; i < count; i++) {
    let result;
    samples.push(await time(async () => (result = await client.callTool({ name: 'echo', arguments: message }))));
    if (result.isError) throw new Error(`the toolkit call failed: ${JSON.stringify(result)}`);
    await sleep(spacing);
  }
  return path(`toolkit ${transport} warm tools/call`, samples);
}
