import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../shared/errors.js';
import { defaultServerSettings, type ServerSettings } from './server-defaults.js';

export { defaultServerSettings, loosenedSettings, type ServerSettings } from './server-defaults.js';

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
  })
  // A folder there would hide the app's code: a generated build puts it in /app (folders inside are fine).
  .refine((path) => path !== '/app', 'must not be /app, which holds the app itself (a folder inside it, like /app/data, is fine)');

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

