// The sandbox defaults alone, without the schema that reads procdock.json: the CLI's catalog
// reader needs these and must not load zod to get them.

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
