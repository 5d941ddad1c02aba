import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerEngine } from './docker.js';
import { cleanupTempDirs, cli, fixtureServers, freshHome, makeNpmApp, tempDir } from './helpers.js';
import { serveHub, type ServedHub } from './hub-process.js';

const docker = await dockerEngine();

const suite = '@modelcontextprotocol/conformance@0.2.0-alpha.12';

/** The official suite's active server scenarios for 2025-11-25, run with a Node 22 that npm supplies. */
function conformance(url: string, outputDir: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      'npx',
      ['-y', '-p', 'node@22', '-p', suite, 'conformance', 'server', '--url', url, '--spec-version', '2025-11-25', '--output-dir', outputDir],
      { timeout: 300_000, maxBuffer: 32 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: stdout + stderr }),
    );
  });
}

/** Every failed check the suite saved (one checks.json per scenario), with its message and details. */
function failedChecks(outputDir: string): string {
  const failed: unknown[] = [];
  for (const file of readdirSync(outputDir, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('checks.json')) continue;
    const checks = JSON.parse(readFileSync(join(outputDir, file), 'utf8')) as { status: string }[];
    failed.push(...checks.filter((c) => c.status === 'FAILURE').map((c) => ({ file, ...c })));
  }
  return JSON.stringify(failed, null, 2);
}

/** The summary lines: each scenario and whether every one of its checks passed. */
function summary(output: string): Map<string, boolean> {
  const lines = output.slice(output.indexOf('=== SUMMARY ===')).split('\n');
  const results = new Map<string, boolean>();
  for (const line of lines) {
    const match = /^([✓✗]) ([\w-]+): (\d+) passed, (\d+) failed/.exec(line.trim());
    if (match) results.set(match[2]!, match[1] === '✓' && match[4] === '0');
  }
  return results;
}

describe.skipIf(!docker)('the MCP conformance suite through the hub (--no-auth, loopback), its fixture server in Docker', () => {
  let hub: ServedHub;

  beforeAll(async () => {
    const home = freshHome();
    // The fixture offers what every scenario calls (test_* tools, resources, prompts); the SDK is its only dependency.
    // Session lifetime: a client session's subscriptions live in its own container of the fixture.
    const app = makeNpmApp('mcp-fixture: node conformance-fixture.mjs\n', ['@modelcontextprotocol/sdk'], 'fixture', {
      'conformance-fixture.mjs': readFileSync(join(fixtureServers, 'conformance-fixture.mjs'), 'utf8'),
      'procdock.json': JSON.stringify({ servers: { 'mcp-fixture': { lifetime: 'session' } } }),
    });
    const added = await cli(home, ['apps:add', app]);
    expect(added.code, added.stderr).toBe(0);
    hub = await serveHub(home, ['--no-auth']);
  }, 180_000);
  afterAll(async () => {
    await hub?.stop();
    cleanupTempDirs();
  });

  it('warns that authentication is off', () => {
    expect(hub.output()).toMatch(/WARNING: --no-auth/);
  });

  it('passes every active scenario, resources-subscribe and resources-unsubscribe included', async () => {
    const outputDir = tempDir('procdock-conformance-');
    const { output } = await conformance(`${hub.url}/mcp`, outputDir);
    const results = summary(output);
    expect(results.size, output.slice(-4000)).toBe(31);
    const failed = [...results].filter(([, passed]) => !passed).map(([name]) => name);
    expect(failed, `${failedChecks(outputDir)}\n\nthe hub's log:\n${hub.output().slice(-4000)}`).toEqual([]);
    expect(results.get('resources-subscribe')).toBe(true);
    expect(results.get('resources-unsubscribe')).toBe(true);
  }, 300_000);
});
