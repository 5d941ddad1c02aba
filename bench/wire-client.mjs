// A bare MCP client over Streamable HTTP, on node:http with one kept-alive connection: no fetch,
// no schema validation. What it measures is the hub's side of a request (the HTTP stack, the
// toolkit, the call), so set beside the SDK client's figures it shows where the time goes.
import http from 'node:http';
import { sleep, time } from './stats.mjs';

export async function wireRounds({ url, headers, listRounds, callRounds, spacing }) {
  const endpoint = new URL(`${url}/mcp`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let session;
  let id = 0;
  const post = (message) =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify(message);
      const request = http.request(
        endpoint,
        {
          method: 'POST',
          agent,
          headers: {
            ...headers,
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            'content-length': Buffer.byteLength(body),
            ...(session ? { 'mcp-session-id': session } : {}),
          },
        },
        (response) => {
          session ??= response.headers['mcp-session-id'];
          const chunks = [];
          response.on('data', (chunk) => chunks.push(chunk));
          response.on('end', () => (response.statusCode < 300 ? resolve(Buffer.concat(chunks).toString()) : reject(new Error(`HTTP ${response.statusCode}: ${Buffer.concat(chunks)}`))));
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  const rpc = (method, params) => post({ jsonrpc: '2.0', id: ++id, method, ...(params ? { params } : {}) });
  try {
    await rpc('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench-wire', version: '1' } });
    await post({ jsonrpc: '2.0', method: 'notifications/initialized' });
    for (let i = 0; i < 20; i++) await rpc('tools/list');
    const list = [];
    for (let i = 0; i < listRounds; i++) list.push(await time(() => rpc('tools/list')));
    const calls = [];
    for (let i = 0; i < callRounds; i++) {
      let answer = '';
      calls.push(await time(async () => (answer = await rpc('tools/call', { name: 'echo', arguments: { message: 'bench' } }))));
      if (!answer.includes('"result"') || answer.includes('"isError":true')) throw new Error(`the wire call failed: ${answer.slice(0, 300)}`);
      await sleep(spacing);
    }
    return { list, calls };
  } finally {
    agent.destroy();
  }
}
