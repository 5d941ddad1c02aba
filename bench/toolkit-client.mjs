// The toolkit's client, on a thread of its own: a real MCP client is another process, so its own
// work (fetch, parsing, validation) runs beside the hub, not on the hub's event loop.
import { parentPort, workerData } from 'node:worker_threads';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { sleep, time } from './stats.mjs';
import { floorRounds, wireRounds } from './wire-client.mjs';

const { url, headers, transport, listRounds, callRounds, spacing } = workerData;
const transports = {
  http: () => new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers } }),
  sse: () => new SSEClientTransport(new URL(`${url}/mcp/sse`), { requestInit: { headers } }),
};

const client = new Client({ name: 'bench', version: '1' }, { capabilities: {} });
await client.connect(transports[transport]());
try {
  let tools = 0;
  // A client that has run a while: its JIT has compiled the request path before anything is timed.
  for (let i = 0; i < 20; i++) await client.listTools();
  for (let i = 0; i < 20; i++) await client.ping();
  const list = [];
  for (let i = 0; i < listRounds; i++) list.push(await time(async () => (tools = (await client.listTools()).tools.length)));
  await sleep(2000); // let the warm pools refill after the app was added
  const calls = [];
  for (let i = 0; i < callRounds; i++) {
    let result;
    calls.push(await time(async () => (result = await client.callTool({ name: 'echo', arguments: { message: 'bench' } }))));
    if (result.isError) throw new Error(`the toolkit call failed: ${JSON.stringify(result)}`);
    await sleep(spacing);
  }
  // The same transport again with a bare client: the hub's share of the same requests.
  const wire = await wireRounds(workerData);
  const floor = workerData.floorUrl ? await floorRounds(workerData) : undefined;
  parentPort.postMessage({ tools, list, calls, wire, floor });
} finally {
  await client.close();
}
