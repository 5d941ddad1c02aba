import http from 'node:http';
import inspector from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import pino from 'pino';
import Docker from 'dockerode';
import { BenchFixture } from './fixture.mjs';
import { HubServer } from '../dist/http/hub-server.js';
import { StreamableHttpTransport } from '../dist/toolkit/streamable-http-transport.js';
import { ToolkitSessions } from '../dist/http/toolkit-routes.js';

const rounds = Number(process.env.ROUNDS ?? 40);
const fixture = new BenchFixture('/work/main', new Docker());
await fixture.start();
const hub = fixture.hub({ warmPools: true });
await hub.start();
await new Promise((r) => setTimeout(r, 3000));
const inner = [];
const call = hub.runner.call.bind(hub.runner);
const marks = [];
let cur;
hub.runner.call = async (req) => { const t = performance.now(); cur.t1 = t; try { return await call(req); } finally { cur.t2 = performance.now(); inner.push(performance.now() - t); } };
const server = new HubServer(hub, { host: '127.0.0.1', port: 0, adminToken: 'bench', logger: pino({ level: 'silent' }) });
const streamable = ToolkitSessions.prototype.streamable;
ToolkitSessions.prototype.streamable = function (...a) { cur.tA = performance.now(); return streamable.apply(this, a); };
const post0 = StreamableHttpTransport.prototype.post;
StreamableHttpTransport.prototype.post = function (req, res, body) { cur.tB = performance.now(); const r = post0.call(this, req, res, body); cur.tC = performance.now(); return r; };
const url = await server.start();
server.server.prependListener('request', (req, res) => { const m = { t0: performance.now() }; cur = m; marks.push(m); res.once('finish', () => { m.t3 = performance.now(); }); });
const key = (await hub.run('key', {})).INFERENCE_KEY;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
let session; let id = 0;
const post = (message) => new Promise((resolve, reject) => {
  const body = JSON.stringify(message);
  const req = http.request(`${url}/mcp`, { method: 'POST', agent, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'content-length': Buffer.byteLength(body), ...(session ? { 'mcp-session-id': session } : {}) } }, (res) => {
    session ??= res.headers['mcp-session-id'];
    const chunks = []; res.on('data', (c) => chunks.push(c)); res.on('end', () => resolve(Buffer.concat(chunks).toString()));
  });
  req.on('error', reject); req.end(body);
});
await post({ jsonrpc: '2.0', id: ++id, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } });
await post({ jsonrpc: '2.0', method: 'notifications/initialized' });
for (let i = 0; i < 30; i++) await post({ jsonrpc: '2.0', id: ++id, method: 'tools/list' });
const lists = [];
for (let i = 0; i < 30; i++) { const t = performance.now(); await post({ jsonrpc: '2.0', id: ++id, method: 'tools/list' }); lists.push(performance.now() - t); }
const pings = [];
for (let i = 0; i < 30; i++) { const t = performance.now(); await post({ jsonrpc: '2.0', id: ++id, method: 'ping' }); pings.push(performance.now() - t); }
const outer = []; const cmarks = [];
inner.length = 0;
const ins = new inspector.Session(); ins.connect(); if (process.env.PROF) { await ins.post('Profiler.enable'); await ins.post('Profiler.setSamplingInterval', { interval: 50 }); await ins.post('Profiler.start'); }
for (let i = 0; i < rounds; i++) {
  const t = performance.now();
  marks.length = 0;
  const a = await post({ jsonrpc: '2.0', id: ++id, method: 'tools/call', params: { name: 'echo', arguments: { message: 'bench' } } });
  outer.push(performance.now() - t);
  const m = marks[0]; m.tc0 = t; m.tc1 = performance.now(); cmarks.push(m);
  if (i === 0) console.log(a.slice(0, 200));
  await new Promise((r) => setTimeout(r, Number(process.env.SPACING ?? 1000)));
}
if (process.env.PROF) { const { profile } = await ins.post('Profiler.stop'); writeFileSync(process.env.PROF, JSON.stringify(profile)); }
const p50 = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)].toFixed(2);
console.log(`ping ${p50(pings)}  list ${p50(lists)}  call outer ${p50(outer)} inner ${p50(inner)}  diff-of-p50 ${(p50(outer) - p50(inner)).toFixed(2)}  per-call diff p50 ${p50(outer.map((o, i) => o - inner[i]))}`);
const seg = (f) => p50(cmarks.map(f));
console.log(`request->streamable ${seg((m) => m.tA - m.t0)}  ->post ${seg((m) => m.tB - m.tA)}  post(sync) ${seg((m) => m.tC - m.tB)}  post->runner ${seg((m) => m.t1 - m.tC)}`);
console.log(`client->request ${seg((m) => m.t0 - m.tc0)}  request->runner ${seg((m) => m.t1 - m.t0)}  runner ${seg((m) => m.t2 - m.t1)}  runner->finish ${seg((m) => m.t3 - m.t2)}  finish->client ${seg((m) => m.tc1 - m.t3)}`);
agent.destroy();
await server.close(); await hub.close(); await fixture.dispose();
