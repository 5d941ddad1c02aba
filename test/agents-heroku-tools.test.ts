import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agent, callOnce, createResource, frames, herokuRocks, toolResult } from './agents-harness.js';
import { languageImagesEnv, makePdf } from './agents-images.js';
import { containersOf, dockerEngine, homeLabel } from './docker.js';
import { cleanupTempDirs, cli, freshHome } from './helpers.js';
import { serveHub, type ServedHub } from './hub-process.js';
import { ScriptedModel } from './model-server.js';

const docker = await dockerEngine();
const imagesEnv = docker ? languageImagesEnv() : undefined;

/** The seed's example in each language: the sha256 of 'Heroku Rocks', printed. */
const hashCode = {
  python: "import hashlib\nprint(hashlib.sha256('Heroku Rocks'.encode()).hexdigest())",
  ruby: "require 'digest'\nputs Digest::SHA256.hexdigest('Heroku Rocks')",
  go: 'package main\n\nimport (\n\t"crypto/sha256"\n\t"fmt"\n)\n\nfunc main() {\n\tfmt.Printf("%x\\n", sha256.Sum256([]byte("Heroku Rocks")))\n}\n',
  node: "const c = require('crypto'); console.log(c.createHash('sha256').update('Heroku Rocks').digest('hex'))",
};

const page = `<!doctype html><html><head><title>Notes</title><style>p{color:red}</style><script>alert('no')</script></head>
<body><h1>Release notes</h1><p>Procdock runs <strong>every</strong> call in a <a href="https://example.org/sandbox">sandbox</a>.</p>
<table><tr><th>tool</th><th>language</th></tr><tr><td>code_exec_go</td><td>Go</td></tr></table></body></html>`;

describe.skipIf(!docker || !imagesEnv)('heroku_tools: code execution in four languages and the document reader', () => {
  let model: ScriptedModel;
  let hub: ServedHub;
  let home: string;
  let key: string;

  beforeAll(async () => {
    model = await new ScriptedModel().start();
    home = freshHome();
    await createResource(home, model);
    hub = await serveHub(home, [], imagesEnv);
    key = await hub.key('claude');
  }, 240_000);

  afterAll(async () => {
    await hub?.stop();
    await model?.stop();
    cleanupTempDirs();
  });

  it.each(['python', 'ruby', 'go', 'node'] as const)(
    'runs the seed’s example with code_exec_%s: the hash in a tool.completion frame',
    async (language) => {
      const name = `code_exec_${language}`;
      model.play(
        { content: 'I will compute it.', tool_calls: [{ name, arguments: { code: hashCode[language] } }] },
        { content: `The hash is ${herokuRocks}.` },
      );
      const response = await agent(hub, key, {
        model: 'claude-4-sonnet',
        messages: [{ role: 'user', content: "take the sha256 of 'Heroku Rocks'" }],
        tools: [{ type: 'heroku_tool', name }],
      });
      const { all, messages } = await frames(response);
      expect(all.at(-1)).toEqual({ event: 'done', data: '[DONE]' });
      expect(messages.map((m) => m.object)).toEqual(['chat.completion', 'tool.completion', 'chat.completion']);
      expect(messages[1]!.choices[0]!.message).toMatchObject({
        role: 'tool',
        name,
        tool_call_id: messages[0]!.choices[0]!.message.tool_calls![0]!.id,
      });
      const result = toolResult(messages[1]);
      expect(result.isError).toBe(false);
      expect(JSON.parse(result.content[0]!.text)).toEqual({ returncode: 0, stdout: herokuRocks, stderr: '' });
      expect(result.structuredContent).toEqual({ result: { returncode: 0, stdout: herokuRocks, stderr: '' } });
      const offered = model.requests[0]!.body.tools as {
        function: { name: string; parameters: { required: string[]; properties: Record<string, unknown> } };
      }[];
      expect(offered[0]!.function).toMatchObject({
        name,
        parameters: { required: ['code'], properties: { code: { type: 'string' }, packages: { type: 'array' } } },
      });
    },
    120_000,
  );

  it('answers in Heroku’s shape when the code fails, and kills code that runs past ttl_seconds', async () => {
    const failed = await callOnce(
      hub,
      key,
      model,
      { type: 'heroku_tool', name: 'code_exec_python' },
      { code: "import sys\nprint('partial')\nsys.exit('broken: ' + 'on purpose')" },
    );
    expect(JSON.parse(failed.content[0]!.text)).toEqual({
      returncode: 1,
      stdout: 'partial',
      stderr: 'broken: on purpose',
    });
    const slow = await callOnce(
      hub,
      key,
      model,
      { type: 'heroku_tool', name: 'code_exec_ruby', runtime_params: { ttl_seconds: 2 } },
      { code: 'sleep 60' },
    );
    expect(JSON.parse(slow.content[0]!.text)).toMatchObject({
      returncode: -2,
      stderr: expect.stringMatching(/timed out after 2 s/),
    });
  });

  it('installs packages only when the user allowed network for built-ins, and says how to allow it', async () => {
    const refused = await callOnce(
      hub,
      key,
      model,
      { type: 'heroku_tool', name: 'code_exec_python' },
      { code: 'import requests', packages: ['requests'] },
    );
    expect(refused.isError).toBe(true);
    expect(refused.content[0]!.text).toMatch(
      /installing packages needs network for built-in tools, which is off: .*PROCDOCK_BUILTIN_NETWORK=bridge/,
    );
    const injected = await callOnce(
      hub,
      key,
      model,
      { type: 'heroku_tool', name: 'code_exec_node' },
      { code: '1', packages: ['x; touch /tmp/pwned'] },
    );
    expect(injected).toMatchObject({
      isError: true,
      content: [{ text: expect.stringMatching(/packages: "x; touch \/tmp\/pwned" is not a package name/) }],
    });
  });

  it('turns an HTML page into Markdown in a container, with no network for inline content', async () => {
    const result = await callOnce(
      hub,
      key,
      model,
      { type: 'heroku_tool', name: 'html_to_markdown' },
      { content: page },
    );
    expect(result.isError).toBe(false);
    const markdown = result.content[0]!.text;
    expect(markdown).toContain('# Release notes');
    expect(markdown).toContain('Procdock runs **every** call in a [sandbox](https://example.org/sandbox).');
    expect(markdown).toMatch(/\| tool \| language \|\n\| --- \| --- \|\n\| code\\_exec\\_go \| Go +\|/);
    expect(markdown).not.toMatch(/alert|color:red/);
    const [call] = JSON.parse((await cli(home, ['calls', '--json', '--limit', '1'])).stdout) as {
      tool: string;
      status: string;
      container_id: string;
    }[];
    expect(call).toMatchObject({ tool: 'html_to_markdown', status: 'ok', container_id: expect.any(String) });
  }, 300_000);

  it('turns a small PDF made here into Markdown, a heading per page', async () => {
    const pdf = makePdf([['QUARTERLY REPORT', 'Revenue grew by 12 percent (in euros).'], ['Second page']]);
    const result = await callOnce(
      hub,
      key,
      model,
      { type: 'heroku_tool', name: 'pdf_to_markdown' },
      { content_base64: pdf.toString('base64') },
    );
    expect(result.isError).toBe(false);
    expect(result.content[0]!.text).toBe(
      '# Page 1\n\n**QUARTERLY REPORT**\n\nRevenue grew by 12 percent (in euros).\n\n# Page 2\n\nSecond page',
    );
    const broken = await callOnce(
      hub,
      key,
      model,
      { type: 'heroku_tool', name: 'pdf_to_markdown' },
      { content_base64: Buffer.from('not a pdf').toString('base64') },
    );
    expect(broken).toMatchObject({
      isError: true,
      content: [{ text: expect.stringMatching(/^Error executing tool pdf_to_markdown: .*PDF/i) }],
    });
  });

  it('fetches a URL only when the user allowed network for built-ins', async () => {
    const result = await callOnce(
      hub,
      key,
      model,
      { type: 'heroku_tool', name: 'html_to_markdown' },
      { url: 'https://example.org/' },
    );
    expect(result.isError).toBe(true);
    expect(result.content[0]!.text).toMatch(
      /fetching https:\/\/example\.org\/ needs network for built-in tools, which is off: .*PROCDOCK_BUILTIN_NETWORK=bridge.*or pass the document inline/,
    );
    const neither = await callOnce(hub, key, model, { type: 'heroku_tool', name: 'html_to_markdown' }, {});
    expect(neither).toMatchObject({
      isError: true,
      content: [{ text: 'html_to_markdown needs either "url" or "content"' }],
    });
    const local = await callOnce(
      hub,
      key,
      model,
      { type: 'heroku_tool', name: 'pdf_to_markdown' },
      { url: 'file:///etc/passwd' },
    );
    expect(local).toMatchObject({
      isError: true,
      content: [{ text: 'pdf_to_markdown: url must be an http or https URL' }],
    });
  });

  it('kills a built-in’s container and logs the call as an error when the client goes away', async () => {
    model.play(
      { tool_calls: [{ name: 'code_exec_python', arguments: { code: 'import time\ntime.sleep(60)' } }] },
      { content: 'never' },
    );
    const controller = new AbortController();
    const body = {
      model: 'claude-4-sonnet',
      messages: [{ role: 'user', content: 'wait' }],
      tools: [{ type: 'heroku_tool', name: 'code_exec_python' }],
    };
    const response = await fetch(`${hub.url}/v1/agents/heroku`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: controller.signal,
    });
    await response.body!.getReader().read();
    const label = await homeLabel(home);
    const running = async () =>
      (await containersOf(docker!, label)).filter((c) => c.Labels['procdock.app'] === 'heroku.tools');
    for (let tries = 0; tries < 300 && (await running()).length === 0; tries++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await running()).toHaveLength(1);
    controller.abort();
    let call: { tool: string; status: string; error: string } | undefined;
    for (let tries = 0; tries < 300 && call?.status !== 'error'; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      [call] = JSON.parse((await cli(home, ['calls', '--json', '--limit', '1'])).stdout) as (typeof call)[];
    }
    expect(call).toMatchObject({ tool: 'code_exec_python', status: 'error', error: 'the run was cancelled' });
    for (let tries = 0; tries < 100 && (await running()).length > 0; tries++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await running()).toEqual([]);
    expect(model.requests).toHaveLength(1);
  });
});
