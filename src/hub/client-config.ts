import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { AppError } from '../shared/errors.js';

export type ClientName = 'cursor' | 'claude' | 'vscode';

export interface ConnectTarget {
  client: ClientName;
  /** The toolkit's Streamable HTTP URL, e.g. http://127.0.0.1:7420/mcp */
  url: string;
  key: string;
  /** Name of our entry in the client's config. */
  entry: string;
  project?: string;
}

export interface ConnectResult {
  file: string;
  backup: string | null;
  entry: string;
  replaced: boolean;
  /** How the key reaches the client: written as it is, or a reference the client resolves. */
  key: { kind: 'literal' } | { kind: 'env'; variable: string } | { kind: 'input'; id: string };
  /** The git work tree the file is in, if any. */
  gitTree: string | null;
}

/** The git work tree holding `path`, if any: a key written there is one `git add` from leaking. */
export function gitWorkTree(path: string): string | null {
  for (let dir = dirname(resolve(path)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return null;
  }
}

/** The environment variable a Cursor config names for a resource's key. */
export function keyVariable(entry: string): string {
  return entry.replace(/^procdock/, 'PROCDOCK_INFERENCE_KEY').replace(/[^A-Za-z0-9]+/g, '_').toUpperCase();
}

/** Where each client keeps its MCP config. */
export function configFile(client: ClientName, project: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const home = env.HOME ?? homedir();
  switch (client) {
    case 'cursor':
      return project ? join(resolve(project), '.cursor', 'mcp.json') : join(home, '.cursor', 'mcp.json');
    case 'vscode':
      return join(resolve(project ?? '.'), '.vscode', 'mcp.json');
    case 'claude':
      if (process.platform === 'darwin') return join(home, 'Library', 'Application Support', 'Claude', 'claude_desktop_config.json');
      if (process.platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Claude', 'claude_desktop_config.json');
      return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'Claude', 'claude_desktop_config.json');
  }
}

/**
 * The entry each client needs to reach the toolkit, under the key its config format uses. Where
 * the client resolves a reference, the key itself stays out of the file: VS Code asks for it once
 * and keeps it in its secret storage (`inputs`); Cursor reads it from the environment when the
 * file is in a git work tree.
 */
function entryFor(target: ConnectTarget, inGitTree: boolean): { section: 'mcpServers' | 'servers'; value: Record<string, unknown>; key: ConnectResult['key'] } {
  const authorization = `Bearer ${target.key}`;
  switch (target.client) {
    case 'cursor': {
      if (!inGitTree) return { section: 'mcpServers', value: { url: target.url, headers: { Authorization: authorization } }, key: { kind: 'literal' } };
      const variable = keyVariable(target.entry);
      return { section: 'mcpServers', value: { url: target.url, headers: { Authorization: `Bearer \${env:${variable}}` } }, key: { kind: 'env', variable } };
    }
    case 'vscode': {
      const id = `${target.entry}-key`;
      return { section: 'servers', value: { type: 'http', url: target.url, headers: { Authorization: `Bearer \${input:${id}}` } }, key: { kind: 'input', id } };
    }
    case 'claude':
      // Claude Desktop runs stdio servers only: mcp-remote bridges to the toolkit. No spaces in args.
      return {
        section: 'mcpServers',
        value: {
          command: 'npx',
          args: ['-y', 'mcp-remote@0.15.1', target.url, '--header', 'Authorization:${AUTH_HEADER}'],
          env: { AUTH_HEADER: authorization },
        },
        key: { kind: 'literal' },
      };
  }
}

/**
 * Writes (or updates) Procdock's entry in a client's MCP config. Every other entry and key stays as
 * it was; the old file is copied to a backup first; a file that is not plain JSON is refused and
 * left untouched.
 */
export function writeClientConfig(target: ConnectTarget): ConnectResult {
  const file = configFile(target.client, target.project);
  const gitTree = gitWorkTree(file);
  const { section, value, key } = entryFor(target, gitTree !== null);
  let config: Record<string, unknown> = {};
  let backup: string | null = null;
  if (existsSync(file)) {
    const text = readFileSync(file, 'utf8');
    if (text.trim() !== '') {
      try {
        config = JSON.parse(text) as Record<string, unknown>;
      } catch (error) {
        throw new AppError(
          'invalid_input',
          `${file} is not plain JSON (${(error as Error).message}); nothing was changed. Add this under "${section}" by hand: ${JSON.stringify({ [target.entry]: { ...value, headers: '…' } })}`,
        );
      }
      if (typeof config !== 'object' || config === null || Array.isArray(config)) {
        throw new AppError('invalid_input', `${file}: expected a JSON object at the top; nothing was changed`);
      }
    }
    backup = `${file}.${new Date().toISOString().replace(/[:.]/g, '-')}.bak`;
    copyFileSync(file, backup);
  }
  const servers = (config[section] ?? {}) as Record<string, unknown>;
  if (typeof servers !== 'object' || Array.isArray(servers)) {
    throw new AppError('invalid_input', `${file}: "${section}" is not an object; nothing was changed`);
  }
  const replaced = target.entry in servers;
  config[section] = { ...servers, [target.entry]: value };
  if (key.kind === 'input') config.inputs = withInput(config.inputs, key.id, target.entry);
  mkdirSync(dirname(file), { recursive: true });
  const mode = existsSync(file) ? statSync(file).mode & 0o777 : 0o600;
  const temporary = `${file}.procdock-${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode });
  renameSync(temporary, file);
  return { file, backup, entry: target.entry, replaced, key, gitTree };
}

/** VS Code's `inputs` with ours (a password prompt) added or replaced, every other kept. */
function withInput(inputs: unknown, id: string, entry: string): unknown[] {
  const others = Array.isArray(inputs) ? inputs.filter((input: { id?: unknown }) => input?.id !== id) : [];
  return [...others, { type: 'promptString', id, description: `Procdock INFERENCE_KEY for "${entry}" (procdock key prints it)`, password: true }];
}
