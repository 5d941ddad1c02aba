import { describe, expect, it } from 'vitest';
import { parseWarmOutput, warmEnv } from './node-cache.js';

const report = (files: { path: string; data: string }[], extra: object = {}) =>
  `noise a server printed\n${JSON.stringify({ supported: true, version: 'v24.1.0', answered: 1, files, ...extra })}\n`;

describe('the compile-cache warm-up report', () => {
  it('reads the files of the last line', () => {
    const outcome = parseWarmOutput(report([{ path: 'v24.1.0-x64-1a2b3c4d-1000/5e6f7a8b', data: Buffer.from('v8').toString('base64') }]));
    expect(outcome).toMatchObject({ supported: true, version: 'v24.1.0', answered: 1 });
    expect(outcome.files.map((f) => [f.path, f.data.toString()])).toEqual([['v24.1.0-x64-1a2b3c4d-1000/5e6f7a8b', 'v8']]);
  });

  it.each(['../etc/passwd', '/etc/passwd', 'a/../../b', 'a//b', '.hidden', 'a/b c', 'a/b/c/d/e'])('refuses a file outside the cache folder: %s', (path) => {
    expect(() => parseWarmOutput(report([{ path, data: '' }]))).toThrow(/outside its folder/);
  });

  it('refuses more than 64 MiB, and says when there was no report', () => {
    const big = Buffer.alloc(17 * 1024 * 1024).toString('base64');
    const files = Array.from({ length: 4 }, (_, i) => ({ path: `v/${i}`, data: big }));
    expect(() => parseWarmOutput(report(files))).toThrow(/over 64 MiB/);
    expect(() => parseWarmOutput('')).toThrow(/printed no report$/);
    expect(() => parseWarmOutput('Error: boom')).toThrow(/printed no report: Error: boom/);
  });

  it('hands the container the script and the commands in its environment, nothing to quote', () => {
    const env = warmEnv(['mcp-server-memory', 'node "server.js" --x=\'y\'']);
    expect(JSON.parse(env.PROCDOCK_WARM_COMMANDS!)).toEqual(['mcp-server-memory', 'node "server.js" --x=\'y\'']);
    expect(env.PROCDOCK_WARM_SCRIPT).toMatch(/^\(function warm\(\) \{[\s\S]*\}\)\(\)$/);
  });
});
