import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { containerPathSchema, defaultServerSettings, readServerSettings } from './server-settings.js';

function appWith(json: string | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), 'settings-'));
  if (json !== undefined) writeFileSync(join(dir, 'procdock.json'), json);
  return dir;
}

describe('readServerSettings', () => {
  it('gives every server the defaults without a procdock.json', async () => {
    expect(await readServerSettings(appWith(undefined), ['mcp'])).toEqual({ mcp: defaultServerSettings });
  });

  it('loosens only the keys a server names', async () => {
    const dir = appWith('{"servers":{"mcp-web":{"network":"bridge","ttl_seconds":30,"pool":2}}}');
    const settings = await readServerSettings(dir, ['mcp-web', 'mcp']);
    expect(settings['mcp-web']).toEqual({ ...defaultServerSettings, network: 'bridge', ttl_seconds: 30, pool: 2 });
    expect(settings.mcp).toEqual(defaultServerSettings);
  });

  it.each([
    ['{"servers":{"mcp":{"memroy_mb":1}}}', /procdock\.json: servers\.mcp\.memroy_mb: Unrecognized key/],
    ['{"servers":{"mcp":{"network":"host"}}}', /procdock\.json: servers\.mcp\.network: /],
    ['{"servers":{"mcp":{"memory_mb":-5}}}', /procdock\.json: servers\.mcp\.memory_mb: /],
    ['{"servers":{"mcp-other":{}}}', /procdock\.json: servers\.mcp-other: no mcp\* process of that name/],
    ['{"server":{}}', /procdock\.json: \.?server: Unrecognized key/],
    ['{nope', /procdock\.json: not JSON/],
    ['{"servers":{"mcp":{"volumes":["/app"]}}}', /procdock\.json: servers\.mcp\.volumes\.0: must not be \/app, which holds the app itself/],
  ])('refuses %s naming the file and key', async (json, message) => {
    await expect(readServerSettings(appWith(json), ['mcp'])).rejects.toThrow(message);
  });
});

describe('containerPathSchema', () => {
  it('takes a folder inside /app but not /app itself, which holds the app', () => {
    expect(containerPathSchema.safeParse('/app/data').success).toBe(true);
    expect(containerPathSchema.safeParse('/app').error?.issues[0]?.message).toMatch(/must not be \/app/);
  });
});
