import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, cli, tempDir } from './helpers.js';

afterAll(cleanupTempDirs);

/** The one backup `connect` made beside `file`, parsed. */
function backupOf(file: string): unknown {
  const dir = dirname(file);
  const backups = readdirSync(dir).filter((f) => f.startsWith(basename(file)) && f.endsWith('.bak'));
  expect(backups).toHaveLength(1);
  return JSON.parse(readFileSync(join(dir, backups[0]!), 'utf8'));
}

function keyOf(stdout: string): string {
  return /INFERENCE_KEY=(\S+)/.exec(stdout)?.[1] ?? '';
}

describe('procdock connect', () => {
  it('merges Cursor’s global config: keeps other servers and keys, backs up, updates its own entry', async () => {
    const home = tempDir();
    const file = join(home, '.cursor', 'mcp.json');
    mkdirSync(join(home, '.cursor'));
    const original = { theme: 'dark', mcpServers: { github: { command: 'docker', args: ['run', '-i', '--rm', 'ghcr.io/github/github-mcp-server'] }, remote: { url: 'https://example.com/mcp' } } };
    writeFileSync(file, JSON.stringify(original, null, 2));
    const run = await cli(home, ['connect', 'cursor']);
    expect(run.code).toBe(0);
    const key = keyOf((await cli(home, ['key'])).stdout);
    expect(run.stdout).not.toContain(key);
    expect(run.stdout).toMatch(/Added "procdock" in .*\.cursor\/mcp\.json \(backup: .*\.bak\)/);
    const written = JSON.parse(readFileSync(file, 'utf8'));
    expect(written.theme).toBe('dark');
    expect(written.mcpServers.github).toEqual(original.mcpServers.github);
    expect(written.mcpServers.remote).toEqual(original.mcpServers.remote);
    expect(written.mcpServers.procdock).toEqual({ url: 'http://127.0.0.1:7420/mcp', headers: { Authorization: `Bearer ${key}` } });
    expect(backupOf(file)).toEqual(original);

    const again = await cli(home, ['connect', 'cursor', '--show-key']);
    expect(again.stdout).toContain('Updated "procdock"');
    expect(again.stdout).toContain(`Key: ${key}`);
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')).mcpServers)).toEqual(['github', 'remote', 'procdock']);
  });

  it('writes a project’s Cursor and VS Code configs, one entry per resource', async () => {
    const home = tempDir();
    const project = join(home, 'project');
    mkdirSync(join(project, '.vscode'), { recursive: true });
    const vscodeOriginal = { inputs: [{ id: 'x', type: 'promptString' }], servers: { other: { type: 'stdio', command: 'node' } } };
    writeFileSync(join(project, '.vscode', 'mcp.json'), JSON.stringify(vscodeOriginal));
    expect((await cli(home, ['models:create', 'work', '--provider', 'openai', '--model', 'gpt-4o'])).code).toBe(0);
    expect((await cli(home, ['connect', 'vscode', '--project', project, '--resource', 'work'])).code).toBe(0);
    const vscode = JSON.parse(readFileSync(join(project, '.vscode', 'mcp.json'), 'utf8'));
    expect(vscode.inputs[0]).toEqual({ id: 'x', type: 'promptString' });
    expect(vscode.servers.other).toEqual({ type: 'stdio', command: 'node' });
    expect(vscode.servers['procdock-work']).toMatchObject({ type: 'http', url: 'http://127.0.0.1:7420/mcp' });
    expect(backupOf(join(project, '.vscode', 'mcp.json'))).toEqual(vscodeOriginal);
    // VS Code asks for the key once and keeps it in its secret storage: the file holds none.
    const workKey = keyOf((await cli(home, ['key', '--resource', 'work'])).stdout);
    expect(vscode.servers['procdock-work'].headers.Authorization).toBe('Bearer ${input:procdock-work-key}');
    expect(vscode.inputs).toContainEqual(expect.objectContaining({ id: 'procdock-work-key', type: 'promptString', password: true }));
    expect(readFileSync(join(project, '.vscode', 'mcp.json'), 'utf8')).not.toContain(workKey);

    expect((await cli(home, ['connect', 'cursor', '--project', project])).code).toBe(0);
    expect(JSON.parse(readFileSync(join(project, '.cursor', 'mcp.json'), 'utf8')).mcpServers.procdock.url).toBe('http://127.0.0.1:7420/mcp');
    expect(existsSync(join(home, '.cursor'))).toBe(false);
  });

  it('keeps the key out of a config inside a git work tree: Cursor reads it from the environment', async () => {
    const home = tempDir();
    const project = join(home, 'repo');
    mkdirSync(join(project, '.git'), { recursive: true });
    const run = await cli(home, ['connect', 'cursor', '--project', project]);
    expect(run.code).toBe(0);
    const key = keyOf((await cli(home, ['key'])).stdout);
    const text = readFileSync(join(project, '.cursor', 'mcp.json'), 'utf8');
    expect(text).not.toContain(key);
    expect(JSON.parse(text).mcpServers.procdock.headers.Authorization).toBe('Bearer ${env:PROCDOCK_INFERENCE_KEY}');
    expect(run.stdout).toContain(`is in the git work tree ${project}, so it names the key instead of holding it: set PROCDOCK_INFERENCE_KEY=`);
    // Claude Desktop needs the key itself: the hub warns when that file is in a git work tree (a dotfiles repo).
    mkdirSync(join(home, '.git'));
    const claude = await cli(home, ['connect', 'claude']);
    expect(claude.stdout).toMatch(/Warning: .*claude_desktop_config\.json is in the git work tree .* and holds the key/);
  });

  it('points Claude Desktop at the toolkit through mcp-remote, with the token in env', async () => {
    const home = tempDir();
    const dir = join(home, '.config', 'Claude');
    mkdirSync(dir, { recursive: true });
    const original = { mcpServers: { filesystem: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'] } } };
    writeFileSync(join(dir, 'claude_desktop_config.json'), JSON.stringify(original));
    expect((await cli(home, ['connect', 'claude'])).code).toBe(0);
    const config = JSON.parse(readFileSync(join(dir, 'claude_desktop_config.json'), 'utf8'));
    expect(config.mcpServers.filesystem.args).toEqual(['-y', '@modelcontextprotocol/server-filesystem', '/tmp']);
    const key = keyOf((await cli(home, ['key'])).stdout);
    expect(config.mcpServers.procdock).toEqual({
      command: 'npx',
      args: ['-y', 'mcp-remote@0.15.1', 'http://127.0.0.1:7420/mcp', '--header', 'Authorization:${AUTH_HEADER}'],
      env: { AUTH_HEADER: `Bearer ${key}` },
    });
    expect(backupOf(join(dir, 'claude_desktop_config.json'))).toEqual(original);
  });

  it('merges a config with comments and trailing commas, keeping them', async () => {
    const home = tempDir();
    mkdirSync(join(home, '.cursor'));
    const file = join(home, '.cursor', 'mcp.json');
    writeFileSync(file, '{\n  // my servers\n  "mcpServers": {\n    "github": { "url": "https://example.com/mcp" }, // work\n  },\n}\n', { mode: 0o644 });
    const run = await cli(home, ['connect', 'cursor']);
    expect(run.code, run.stderr).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('// my servers');
    expect(text).toContain('// work');
    expect(parseJsonc(text).mcpServers.github).toEqual({ url: 'https://example.com/mcp' });
    const key = keyOf((await cli(home, ['key'])).stdout);
    expect(text).toContain(`"Authorization": "Bearer ${key}"`);
    // It holds the key now: readable by the user only, and so is the backup of what was there.
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const backup = readdirSync(join(home, '.cursor')).find((f) => f.endsWith('.bak'))!;
    expect(statSync(join(home, '.cursor', backup)).mode & 0o777).toBe(0o600);
  });

  it('writes VS Code’s user config without --project, prompt and all', async () => {
    const home = tempDir();
    const work = tempDir();
    const run = await cli(home, ['connect', 'vscode'], {}, '', work);
    expect(run.code, run.stderr).toBe(0);
    const file = join(home, '.config', 'Code', 'User', 'mcp.json');
    const config = JSON.parse(readFileSync(file, 'utf8'));
    expect(config.servers.procdock).toEqual({ type: 'http', url: 'http://127.0.0.1:7420/mcp', headers: { Authorization: 'Bearer ${input:procdock-key}' } });
    expect(config.inputs).toEqual([expect.objectContaining({ id: 'procdock-key', type: 'promptString', password: true })]);
    expect(existsSync(join(work, '.vscode'))).toBe(false);
  });

  it('refuses a --project that is not a folder, writing nothing', async () => {
    const home = tempDir();
    const missing = join(home, 'no-such-project');
    const file = join(home, 'notes.txt');
    writeFileSync(file, 'mine');
    const typo = await cli(home, ['connect', 'cursor', '--project', missing]);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain(`procdock: ${missing}: no such folder; nothing was written`);
    expect(existsSync(missing)).toBe(false);
    const notFolder = await cli(home, ['connect', 'vscode', '--project', file]);
    expect(notFolder.code).toBe(1);
    expect(notFolder.stderr).toContain(`procdock: ${file}: not a folder; nothing was written`);
    expect(readFileSync(file, 'utf8')).toBe('mine');
  });

  it('writes a config that is a link where the link points, and leaves the link', async () => {
    const home = tempDir();
    const kept = join(home, 'dotfiles', 'cursor-mcp.json');
    mkdirSync(dirname(kept));
    writeFileSync(kept, JSON.stringify({ mcpServers: { other: { url: 'https://example.com/mcp' } } }));
    mkdirSync(join(home, '.cursor'));
    symlinkSync(kept, join(home, '.cursor', 'mcp.json'));
    expect((await cli(home, ['connect', 'cursor'])).code).toBe(0);
    expect(lstatSync(join(home, '.cursor', 'mcp.json')).isSymbolicLink()).toBe(true);
    expect(Object.keys(JSON.parse(readFileSync(kept, 'utf8')).mcpServers)).toEqual(['other', 'procdock']);
  });

  it('refuses a config that is not JSON, leaves it untouched, and gives the entry to paste', async () => {
    const home = tempDir();
    mkdirSync(join(home, '.cursor'));
    const text = '{\n  "mcpServers": {\n    "github": \n';
    writeFileSync(join(home, '.cursor', 'mcp.json'), text);
    const run = await cli(home, ['connect', 'cursor']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/mcp\.json is not JSON \(\w+ at line \d+, column \d+\); nothing was changed\. Add this under "mcpServers" by hand: /);
    // What it offers is JSON to paste as is, without the key itself.
    const offered = JSON.parse(/by hand: (\{.*\})\s*$/.exec(run.stderr)![1]!);
    expect(offered).toEqual({ procdock: { url: 'http://127.0.0.1:7420/mcp', headers: { Authorization: 'Bearer <INFERENCE_KEY: procdock key prints it>' } } });
    expect(run.stderr).not.toContain(keyOf((await cli(home, ['key'])).stdout));
    expect(readFileSync(join(home, '.cursor', 'mcp.json'), 'utf8')).toBe(text);
    expect(readdirSync(join(home, '.cursor'))).toEqual(['mcp.json']);
    expect((await cli(home, ['connect', 'emacs'])).stderr).toContain('unknown client "emacs"');
  });
});
