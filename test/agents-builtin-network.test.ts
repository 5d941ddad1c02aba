import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agent, callOnce, createResource } from './agents-harness.js';
import { languageImagesEnv, makePdf } from './agents-images.js';
import { dockerEngine, testNodeImage } from './docker.js';
import { cleanupTempDirs, cli, freshHome } from './helpers.js';
import { serveHub, type ServedHub } from './hub-process.js';
import { ScriptedModel } from './model-server.js';

const docker = await dockerEngine();
const imagesEnv = docker ? languageImagesEnv() : undefined;

/** A web server of the test's own, in a container on the engine's bridge: what a fetch reaches. */
const serverCode = `
const http = require('http');
const pdf = Buffer.from(process.env.PDF, 'base64');
const page = '<html><body><h2>Served page</h2><ul><li>fetched inside a container</li></ul></body></html>';
http.createServer((req, res) => {
  if (req.url === '/notes.html') return res.end(page);
  if (req.url === '/report.pdf') return res.end(pdf);
  if (req.url === '/huge.html') {
    let sent = 0;
    const more = () => { while (sent++ < 12) if (!res.write('x'.repeat(1 << 20))) return res.once('drain', more); res.end(); };
    return more();
  }
  res.statusCode = 404;
  res.end('no such page');
}).listen(8080, () => console.log('listening'));`;

async function startPageServer(engine: Docker): Promise<{ container: Docker.Container; base: string }> {
  const pdf = makePdf([['Fetched report'], ['Page two']]).toString('base64');
  const container = await engine.createContainer({
    Image: testNodeImage,
    Cmd: ['node', '-e', serverCode],
    Env: [`PDF=${pdf}`],
    User: '1000:1000',
    Labels: { 'procdock-test': 'agents-page-server' },
    HostConfig: { NetworkMode: 'bridge', CapDrop: ['ALL'], ReadonlyRootfs: true },
  });
  await container.start();
  for (let tries = 0; tries < 100; tries++) {
    if ((await container.logs({ stdout: true })).toString().includes('listening')) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const address = (await container.inspect()).NetworkSettings.Networks.bridge?.IPAddress;
  return { container, base: `http://${address}:8080` };
}

describe.skipIf(!docker || !imagesEnv)('heroku_tools where the user allowed network for built-ins', () => {
  let model: ScriptedModel;
  let hub: ServedHub;
  let home: string;
  let key: string;
  let server: { container: Docker.Container; base: string };

  beforeAll(async () => {
    server = await startPageServer(docker!);
    model = await new ScriptedModel().start();
    home = freshHome();
    await createResource(home, model);
    hub = await serveHub(home, [], {
      ...imagesEnv,
      PROCDOCK_BUILTIN_NETWORK: 'bridge',
      PROCDOCK_BASE_IMAGE_GO: 'procdock-test/absent:0',
    });
    key = await hub.key('claude');
  }, 240_000);

  afterAll(async () => {
    await hub?.stop();
    await model?.stop();
    await server?.container.remove({ force: true }).catch(() => undefined);
    cleanupTempDirs();
  });

  it('fetches a page and a PDF by URL and turns them into Markdown', async () => {
    const html = await callOnce(
      hub,
      key,
      model,
      { type: 'heroku_tool', name: 'html_to_markdown' },
      { url: `${server.base}/notes.html` },
    );
    expect(html).toMatchObject({
      isError: false,
      content: [{ text: '## Served page\n\n-   fetched inside a container' }],
    });
    const pdf = await callOnce(
      hub,
      key,
      model,
      { type: 'heroku_tool', name: 'pdf_to_markdown' },
      { url: `${server.base}/report.pdf` },
    );
    expect(pdf).toMatchObject({
      isError: false,
      content: [{ text: '# Page 1\n\nFetched report\n\n# Page 2\n\nPage two' }],
    });
    const missing = await callOnce(
      hub,
      key,
      model,
      { type: 'heroku_tool', name: 'html_to_markdown' },
      { url: `${server.base}/gone.html` },
    );
    expect(missing).toMatchObject({
      isError: true,
      content: [{ text: expect.stringMatching(/gone\.html answered 404/) }],
    });
  }, 300_000);

  it('stops reading a document past 10 MiB', async () => {
    const huge = await callOnce(
      hub,
      key,
      model,
      { type: 'heroku_tool', name: 'html_to_markdown' },
      { url: `${server.base}/huge.html` },
    );
    expect(huge).toMatchObject({
      isError: true,
      content: [{ text: expect.stringMatching(/huge\.html is over the 10485760-byte limit/) }],
    });
  });

  it('installs npm packages for code_exec_node at call time', async () => {
    const code = "const isNumber = require('is-number'); console.log(isNumber(42), isNumber('x'))";
    const result = await callOnce(
      hub,
      key,
      model,
      { type: 'heroku_tool', name: 'code_exec_node' },
      { code, packages: ['is-number'] },
    );
    expect(JSON.parse(result.content[0]!.text)).toMatchObject({ returncode: 0, stdout: 'true false' });
  }, 120_000);

  it('does not offer a code_exec tool whose base image is missing, and says why before any stream', async () => {
    const before = JSON.parse((await cli(home, ['calls', '--json'])).stdout) as unknown[];
    model.play({ content: 'never asked' });
    const response = await agent(hub, key, {
      model: 'claude-4-sonnet',
      messages: [{ role: 'user', content: 'go' }],
      tools: [{ type: 'heroku_tool', name: 'code_exec_go' }],
    });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { message: string } };
    expect(error.message).toMatch(
      /^code_exec_go is not offered: its base image procdock-test\/absent:0 is not on the Docker engine \(set PROCDOCK_BASE_IMAGE_GO to an image you have\)$/,
    );
    expect(model.requests).toHaveLength(0);
    expect(JSON.parse((await cli(home, ['calls', '--json'])).stdout)).toEqual(before);
  });
});
