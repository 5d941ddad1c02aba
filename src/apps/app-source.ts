import { readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { SkippedProcess } from '../shared/api.js';
import { AppError } from '../shared/errors.js';
import { isMcpProcess, parseProcfile, type ProcfileEntry } from './procfile.js';

/** What a local app folder declares: its MCP servers and the processes Procdock skips. */
export interface AppSource {
  path: string;
  procfile: string;
  servers: ProcfileEntry[];
  skipped: SkippedProcess[];
}

/** A Procfile's size, at most: a few lines each, real ones are well under a kilobyte. */
const maxProcfileBytes = 64 * 1024;
/**
 * MCP servers in one app, at most. Each is a container at every sync and a warm pool of its own;
 * a Procfile of thousands would keep the engine busy for hours and crowd out every other app.
 */
const maxServersPerApp = 64;

/** Reads and validates an app folder. Nothing is written; every refusal names the file and line. */
export async function readAppSource(path: string): Promise<AppSource> {
  const dir = resolve(path);
  const info = await stat(dir).catch(() => undefined);
  if (!info) throw new AppError('invalid_input', `${dir}: no such folder`);
  if (!info.isDirectory()) throw new AppError('invalid_input', `${dir}: not a folder`);
  const file = join(dir, 'Procfile');
  const size = (await stat(file).catch(() => undefined))?.size ?? 0;
  if (size > maxProcfileBytes) throw new AppError('procfile', `${file}: ${Math.ceil(size / 1024)} KiB is too large for a Procfile (at most ${maxProcfileBytes / 1024} KiB)`);
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new AppError('procfile', `${file}: no Procfile in ${dir}`);
    throw new AppError('procfile', `${file}: cannot read: ${error.message}`);
  });
  const entries = parseProcfile(text, file);
  const servers = entries.filter((entry) => isMcpProcess(entry.name));
  if (servers.length === 0) {
    const names = entries.map((entry) => entry.name).join(', ') || 'none';
    throw new AppError(
      'procfile',
      `${file}: no MCP server: a server is a process whose name starts with "mcp" (found: ${names})`,
    );
  }
  if (servers.length > maxServersPerApp) {
    throw new AppError('procfile', `${file}: ${servers.length} MCP servers; an app may have at most ${maxServersPerApp} (split it into apps)`);
  }
  const skipped = entries
    .filter((entry) => !isMcpProcess(entry.name))
    .map(({ name, command, line }) => ({ name, command, line }));
  return { path: dir, procfile: file, servers, skipped };
}

/** The app name Procdock proposes for a folder: its base name, made a valid name. */
export function defaultAppName(path: string): string {
  const slug = basename(resolve(path))
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '')
    .slice(0, 40);
  return slug || 'app';
}
