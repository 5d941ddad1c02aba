// A bare MCP client over either toolkit transport, on node:http with kept-alive connections: no
// fetch, no schema validation. What it measures is the hub's side of a request (the HTTP stack,
// the toolkit, the call), so set beside the SDK client's figures it shows where the time goes.
import http from 'node:http';
import { sleep, time } from './stats.mjs';

export async function wireRounds({ url, headers, transport, listRounds, callRounds, spacing }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
  const wire = transport === 'sse' ? await sseWire(url, headers, agent) : streamableWire(url, headers, agent);
  let id = 0;
  const rpc = (method, params) => wire.request({ jsonrpc: '2.0', id: ++id, method, ...(params ? { params } : {}) });
  try {
    await rpc('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench-wire', version: '1' } });
    await wire.notify({ jsonrpc: '2.0', method: 'notifications/initialized' });
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
    wire.close();
    agent.destroy();
  }
}

/**
 * The floor under any HTTP transport on this machine: the same POST, spaced the same, to a bare
 * node:http server in the hub's process that answers at once with an answer the size of echo's.
 */
export async function floorRounds({ floorUrl, callRounds, spacing }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const message = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { message: 'bench' } } };
  try {
    for (let i = 0; i < 20; i++) await post(floorUrl, agent, {}, message);
    const calls = [];
    for (let i = 0; i < callRounds; i++) {
      calls.push(await time(() => post(floorUrl, agent, {}, message)));
      await sleep(spacing);
    }
    return calls;
  } finally {
    agent.destroy();
  }
}

/** POSTs a body; resolves with the status and the answer's text. */
function post(target, agent, headers, message) {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify(message);
    const request = http.request(
      target,
      { method: 'POST', agent, headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () => resolve({ response, text: Buffer.concat(chunks).toString() }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** Streamable HTTP: each request is a POST whose answer is its body. */
function streamableWire(url, headers, agent) {
  let session;
  const send = async (message) => {
    const sessionHeader = session ? { 'mcp-session-id': session } : {};
    const { response, text } = await post(`${url}/mcp`, agent, { ...headers, accept: 'application/json, text/event-stream', ...sessionHeader }, message);
    session ??= response.headers['mcp-session-id'];
    if (response.statusCode >= 300) throw new Error(`HTTP ${response.statusCode}: ${text}`);
    return text;
  };
  return { request: send, notify: send, close: () => undefined };
}

/** HTTP+SSE: answers come as events on the GET stream, matched to requests by id. */
function sseWire(url, headers, agent) {
  return new Promise((resolve, reject) => {
    const waiting = new Map();
    const stream = http.get(`${url}/mcp/sse`, { agent, headers: { ...headers, accept: 'text/event-stream' } }, (response) => {
      if (response.statusCode !== 200) return reject(new Error(`GET /mcp/sse: HTTP ${response.statusCode}`));
      let buffer = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const name = /^event: (.*)$/m.exec(event)?.[1];
          const data = /^data: (.*)$/m.exec(event)?.[1];
          if (name === 'endpoint') resolve(wireOn(new URL(data, url).href));
          else if (name === 'message') waiting.get(JSON.parse(data).id)?.(data);
        }
      });
    });
    stream.on('error', reject);
    const wireOn = (endpoint) => {
      const send = async (message) => {
        const { response, text } = await post(endpoint, agent, headers, message);
        if (response.statusCode !== 202) throw new Error(`HTTP ${response.statusCode}: ${text}`);
      };
      return {
        request: (message) =>
          new Promise((answered, failed) => {
            waiting.set(message.id, (data) => {
              waiting.delete(message.id);
              answered(data);
            });
            send(message).catch(failed);
          }),
        notify: send,
        close: () => stream.destroy(),
      };
    };
  });
}
