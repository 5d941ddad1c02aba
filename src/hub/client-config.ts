import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { applyEdits, modify, parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { realpathOrSelf } from '../apps/host-mounts.js';
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
      // Without a project: the user profile's mcp.json, which every workspace reads.
      if (project) return join(resolve(project), '.vscode', 'mcp.json');
      if (process.platform === 'darwin') return join(home, 'Library', 'Application Support', 'Code', 'User', 'mcp.json');
      if (process.platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Code', 'User', 'mcp.json');
      return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'Code', 'User', 'mcp.json');
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

const edits = { formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' } };

/**
 * Writes (or updates) Procdock's entry in a client's MCP config. Every other entry, key and
 * comment stays as it was (the clients read JSON with comments and trailing commas); the old file
 * is copied to a backup first; a file that cannot be read as JSON is refused and left untouched,
 * with the entry to paste by hand. A file that holds the key itself is readable by the user only.
 */
export function writeClientConfig(target: ConnectTarget): ConnectResult {
  if (target.project !== undefined) {
    const folder = resolve(target.project);
    const info = statSync(folder, { throwIfNoEntry: false });
    if (!info) throw new AppError('invalid_input', `${folder}: no such folder; nothing was written`);
    if (!info.isDirectory()) throw new AppError('invalid_input', `${folder}: not a folder; nothing was written`);
  }
  // A config kept elsewhere and linked here (dotfile managers do this) is written where it is kept.
  const file = realpathOrSelf(configFile(target.client, target.project));
  const gitTree = gitWorkTree(file);
  const { section, value, key } = entryFor(target, gitTree !== null);
  const input = key.kind === 'input' ? inputFor(key.id, target.entry) : undefined;
  const existed = existsSync(file);
  const original = existed ? readFileSync(file, 'utf8') : '';
  let text = original.trim() === '' ? '{}\n' : original;
  const errors: ParseError[] = [];
  const config = parse(text, errors, { allowTrailingComma: true }) as unknown;
  if (errors.length > 0) {
    const [first] = errors;
    const at = lineAndColumn(text, first!.offset);
    throw new AppError('invalid_input', `${file} is not JSON (${printParseErrorCode(first!.error)} at line ${at}); nothing was changed. ${pasteHint(target, section, value, input)}`);
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new AppError('invalid_input', `${file}: expected a JSON object at the top; nothing was changed`);
  }
  const { [section]: servers, inputs } = config as Record<string, unknown>;
  if (servers !== undefined && (typeof servers !== 'object' || servers === null || Array.isArray(servers))) {
    throw new AppError('invalid_input', `${file}: "${section}" is not an object; nothing was changed`);
  }
  if (input && inputs !== undefined && !Array.isArray(inputs)) {
    throw new AppError('invalid_input', `${file}: "inputs" is not an array; nothing was changed`);
  }
  const replaced = servers !== undefined && Object.hasOwn(servers, target.entry);
  text = applyEdits(text, modify(text, [section, target.entry], value, edits));
  if (input) {
    const at = Array.isArray(inputs) ? inputs.findIndex((i: { id?: unknown } | null) => i?.id === input.id) : -1;
    text = applyEdits(text, modify(text, ['inputs', at], input, { ...edits, isArrayInsertion: at === -1 }));
  }
  let backup: string | null = null;
  if (existed) {
    backup = `${file}.${new Date().toISOString().replace(/[:.]/g, '-')}.bak`;
    copyFileSync(file, backup);
    chmodSync(backup, 0o600);
  }
  mkdirSync(dirname(file), { recursive: true });
  const kept = existed ? statSync(file).mode & 0o777 : 0o600;
  const mode = key.kind === 'literal' ? (kept & 0o700) | 0o600 : kept;
  const temporary = `${file}.procdock-${process.pid}.tmp`;
  writeFileSync(temporary, text.endsWith('\n') ? text : `${text}\n`, { mode });
  chmodSync(temporary, mode);
  renameSync(temporary, file);
  return { file, backup, entry: target.entry, replaced, key, gitTree };
}

/** What to add by hand to a file that cannot be edited: valid JSON, with the key left for `procdock key`. */
function pasteHint(target: ConnectTarget, section: string, value: Record<string, unknown>, input: Record<string, unknown> | undefined): string {
  const entry = JSON.stringify({ [target.entry]: value }).replaceAll(target.key, '<INFERENCE_KEY: procdock key prints it>');
  return `Add this under "${section}" by hand: ${entry}${input ? `, and this to "inputs": ${JSON.stringify(input)}` : ''}`;
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `${before.length}, column ${before.at(-1)!.length + 1}`;
}

/** VS Code's `inputs` entry for the key: a password prompt, kept in its secret storage. */
function inputFor(id: string, entry: string): Record<string, unknown> {
  return { type: 'promptString', id, description: `Procdock INFERENCE_KEY for "${entry}" (procdock key prints it)`, password: true };
}
