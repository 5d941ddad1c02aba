// What a hub loads before anyone uses it: not the model SDKs (only agents need them), not
// dockerode's BuildKit session (gRPC) nor docker-modem's ssh transport (ssh2). Each cost the hub
// memory and start-up time on every start. Checked in a fresh Node process on the built hub, since
// this test's own process has its module caches filled by other tests.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { root } from './helpers.js';

// Every ES module file the process loads, written to stderr by a loader hook.
const hook = `data:text/javascript,${encodeURIComponent(
  "export async function load(url, context, next) { if (url.startsWith('file:')) process.stderr.write('loaded ' + url + '\\n'); return next(url, context); }",
)}`;

const script = `
import { createRequire } from 'node:module';
import { Agent } from 'node:http';
import './dist/hub/hub.js';
import { connectEngine } from './dist/sandbox/engine-connection.js';
import { unusedParts } from './dist/sandbox/dockerode-loader.js';
const require = createRequire(import.meta.url);
const loaded = (part) => Object.keys(require.cache).some((file) => file.includes(part));
const connection = await connectEngine({ host: 'unix:///nonexistent/docker.sock', source: 'the test' });
const before = { grpc: loaded('/@grpc/grpc-js/'), ssh2: loaded('/ssh2/'), dockerode: typeof connection.docker.listContainers };
const [session, ssh] = unusedParts();
// The stand-ins load the real module on their first call and answer as it does.
const handed = await new Promise((resolve) => require(session)({ modem: { dial: (_, cb) => cb(new Error('no engine')) } }, null, (error) => resolve(error.message)));
const agent = require(ssh)({ host: 'localhost' });
const after = { grpc: loaded('/@grpc/grpc-js/'), ssh2: loaded('/ssh2/'), handed, agent: agent instanceof Agent };
console.log(JSON.stringify({ before, after }));
`;

describe('the hub at start', () => {
  it('loads neither the model SDKs nor dockerode parts it never runs, and those parts still work when called', async () => {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--no-warnings', '--experimental-loader', hook, '--input-type=module', '-e', script],
      { cwd: root },
    );
    const esm = stderr.split('\n').filter((line) => line.startsWith('loaded '));
    expect(esm.some((line) => line.includes('/dist/hub/hub.js'))).toBe(true);
    expect(esm.filter((line) => /node_modules\/(openai|@anthropic-ai)\//.test(line))).toEqual([]);
    const { before, after } = JSON.parse(stdout) as Record<string, Record<string, unknown>>;
    expect(before).toEqual({ grpc: false, ssh2: false, dockerode: 'function' });
    expect(after).toEqual({ grpc: true, ssh2: true, handed: 'no engine', agent: true });
  });
});
