import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, cli, fixture, makeApp, tempDir } from './helpers.js';
import { serveHub, type ServedHub } from './hub-process.js';

/** The official suite, run with a Node 22 that npm supplies (it needs Node >= 22). */
function conformance(url: string, scenario: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      'npx',
      ['-y', '-p', 'node@22', '-p', '@modelcontextprotocol/conformance@0.1.16', 'conformance', 'server', '--url', url, '--scenario', scenario],
      { timeout: 240_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: stdout + stderr }),
    );
  });
}

/** The scenarios that need no fixture server behind the hub. */
const scenarios = [
  'server-initialize',
  'ping',
  'tools-list',
  'logging-set-level',
  'resources-list',
  'prompts-list',
  'server-sse-multiple-streams',
  'dns-rebinding-protection',
];

/** A `--no-auth` hub for the suite with one app of the given Procfile, for the describe block that calls it. */
function useNoAuthHub(procfile: string, name: string): () => ServedHub {
  let hub: ServedHub | undefined;
  beforeAll(async () => {
    const home = tempDir();
    expect((await cli(home, ['apps:add', makeApp({ Procfile: procfile }, name)])).code).toBe(0);
    hub = await serveHub(home, ['--no-auth']);
  }, 120_000);
  afterAll(async () => {
    await hub?.stop();
    cleanupTempDirs();
  });
  return () => hub!;
}

describe('the MCP conformance suite against /mcp (--no-auth, loopback)', () => {
  const hub = useNoAuthHub('mcp-everything: mcp-server-everything stdio\n', 'everything');

  it('warns that authentication is off', () => {
    expect(hub().output()).toMatch(/WARNING: --no-auth/);
  });

  it.each(scenarios)('%s passes', async (scenario) => {
    const { code, output } = await conformance(`${hub().url}/mcp`, scenario);
    expect(output, output).toMatch(/0 failed/);
    expect(output).not.toMatch(/[1-9]\d* failed/);
    expect(code).toBe(0);
  }, 240_000);
});

/** Fixture scenarios, with a fixture upstream written for these tests behind the hub. */
const fixtureScenarios = [
  'tools-call-simple-text',
  'tools-call-image',
  'tools-call-audio',
  'tools-call-embedded-resource',
  'tools-call-mixed-content',
  'tools-call-with-logging',
  'tools-call-error',
  'tools-call-with-progress',
  'tools-call-sampling',
  'tools-call-elicitation',
  'elicitation-sep1034-defaults',
  'elicitation-sep1330-enums',
  'completion-complete',
  'resources-read-text',
  'resources-read-binary',
  'resources-templates-read',
  'prompts-get-simple',
  'prompts-get-with-args',
  'prompts-get-embedded-resource',
  'prompts-get-with-image',
];

describe('the conformance fixture scenarios, through the hub', () => {
  const hub = useNoAuthHub(`mcp-fixture: ${fixture('conformance-fixture.mjs')}\n`, 'fixture');

  it.each(fixtureScenarios)('%s passes', async (scenario) => {
    const { code, output } = await conformance(`${hub().url}/mcp`, scenario);
    expect(output, output).not.toMatch(/[1-9]\d* failed/);
    expect(code, output).toBe(0);
  }, 240_000);
});
