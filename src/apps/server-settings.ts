import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../shared/errors.js';

/** How each call container of one server runs. SPEC.md's sandbox defaults. */
export interface ServerSettings {
  network: 'none' | 'bridge';
  memory_mb: number;
  cpus: number;
  ttl_seconds: number;
  read_only: boolean;
  /** Warm containers kept started and initialized for this server. */
  pool: number;
  /** Container paths that get a named volume of their own, kept across calls (`/data`). */
  volumes: string[];
  /** `call`: a fresh container per call (Heroku's model); `session`: one per client session. */
  lifetime: 'call' | 'session';
  /** A session-lifetime container ends after this long without a call. */
  idle_seconds: number;
}

export const defaultServerSettings: ServerSettings = {
  network: 'none',
  memory_mb: 512,
  cpus: 1,
  ttl_seconds: 120,
  read_only: true,
  pool: 1,
  volumes: [],
  lifetime: 'call',
  idle_seconds: 300,
};

/** Container paths a volume may not cover: the root, the kernel's and the sandbox's own. */
const reservedContainerPaths = ['/', '/proc', '/sys', '/dev', '/tmp', '/etc', '/bin', '/sbin', '/lib', '/lib64', '/usr'];

/** An absolute, clean container path that is not a system folder; refusals say why. */
export const containerPathSchema = z
  .string()
  .regex(/^\/[A-Za-z0-9._\-/]*$/, 'must be an absolute path of letters, digits, ., _, - and /')
  .refine((path) => !path.split('/').some((part) => part === '..' || part === '.'), 'must not hold . or .. parts')
  .refine((path) => !path.includes('//') && (path === '/' || !path.endsWith('/')), 'must be a clean path (no // or trailing /)')
  .refine((path) => !reservedContainerPaths.some((reserved) => path === reserved || (reserved !== '/' && path.startsWith(`${reserved}/`))), {
    message: `must not be /, or in ${reservedContainerPaths.slice(1).join(', ')}`,
  });

const serverSchema = z
  .object({
    network: z.enum(['none', 'bridge']),
    memory_mb: z.number().int().min(32).max(65_536),
    cpus: z.number().min(0.1).max(64),
    ttl_seconds: z.number().int().min(1).max(3600),
    read_only: z.boolean(),
    pool: z.number().int().min(0).max(16),
    volumes: z
      .array(containerPathSchema)
      .max(8)
      .refine((paths) => new Set(paths).size === paths.length, 'lists a path twice'),
    lifetime: z.enum(['call', 'session']),
    idle_seconds: z.number().int().min(10).max(86_400),
  })
  .partial()
  .strict();

const fileSchema = z.object({ servers: z.record(z.string(), serverSchema) }).partial().strict();

/**
 * Reads the app's optional `procdock.json` and returns each server's settings over the defaults.
 * Unknown keys, bad values and unknown servers are refused with the file and key named.
 */
export async function readServerSettings(appPath: string, processTypes: string[]): Promise<Record<string, ServerSettings>> {
  const file = join(appPath, 'procdock.json');
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new AppError('invalid_input', `${file}: cannot read: ${error.message}`);
  });
  const overrides: Record<string, Partial<ServerSettings>> = {};
  if (text !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new AppError('invalid_input', `${file}: not JSON: ${(error as Error).message}`);
    }
    const parsed = fileSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const keys = issue && 'keys' in issue && Array.isArray(issue.keys) ? `.${issue.keys.join(', ')}` : '';
      const path = [...(issue?.path ?? []), ''].join('.').replace(/\.$/, '') + keys;
      throw new AppError('invalid_input', `${file}: ${path || 'top level'}: ${issue?.message ?? 'invalid'}`);
    }
    for (const [name, settings] of Object.entries(parsed.data.servers ?? {})) {
      if (!processTypes.includes(name)) {
        throw new AppError('invalid_input', `${file}: servers.${name}: no mcp* process of that name in the Procfile`);
      }
      overrides[name] = settings;
    }
  }
  return Object.fromEntries(processTypes.map((name) => [name, { ...defaultServerSettings, ...overrides[name] }]));
}

/**
 * What a server's settings loosen against the defaults, in words: shown at `apps:add` and `sync`,
 * and wherever the server is, so a repo's procdock.json never loosens the sandbox unseen.
 */
export function loosenedSettings(settings: ServerSettings): string[] {
  const d = defaultServerSettings;
  const out: string[] = [];
  if (settings.network !== d.network) out.push(`network ${settings.network}: it can reach your network and the internet`);
  if (settings.read_only !== d.read_only) out.push('a writable root file system');
  if (settings.memory_mb > d.memory_mb) out.push(`memory ${settings.memory_mb} MiB (default ${d.memory_mb})`);
  if (settings.cpus > d.cpus) out.push(`${settings.cpus} CPUs (default ${d.cpus})`);
  if (settings.ttl_seconds > d.ttl_seconds) out.push(`calls run up to ${settings.ttl_seconds} s (default ${d.ttl_seconds})`);
  if (settings.pool > d.pool) out.push(`${settings.pool} warm containers (default ${d.pool})`);
  return out;
}
