import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../shared/errors.js';

/** The certificates of a TLS connection to an engine, read from files. */
export interface EngineTls {
  /** Check the engine's certificate against `ca`; without it the link is encrypted but anyone could answer. */
  verify: boolean;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** The folder the files came from, for messages. */
  dir: string;
}

/** Where the container engine is, found as the Docker CLI finds it. */
export interface EngineEndpoint {
  /** `unix:///var/run/docker.sock`, `tcp://host:2376`, `ssh://user@host`. */
  host: string;
  /** What named it: `DOCKER_HOST`, `context "box"`, `the default socket`. */
  source: string;
  /** On another machine: builds send the app's files there, and host folders would name its folders. */
  remote: boolean;
  tls?: EngineTls;
}

/**
 * The engine the Docker CLI would talk to: `DOCKER_HOST` (with `DOCKER_TLS_VERIFY`, `DOCKER_TLS` and
 * `DOCKER_CERT_PATH`), else the context `DOCKER_CONTEXT` names, else the current context of
 * `~/.docker/config.json` (`DOCKER_CONFIG` moves that folder), else the default socket. A setting
 * that cannot work is an `AppError` naming the variable or file.
 */
export function resolveEngineEndpoint(env: NodeJS.ProcessEnv = process.env): EngineEndpoint {
  const configDir = env.DOCKER_CONFIG || join(homedir(), '.docker');
  if (env.DOCKER_HOST) return fromHost(env.DOCKER_HOST, 'DOCKER_HOST', () => tlsFromEnv(env, configDir));
  const named = env.DOCKER_CONTEXT ? { name: env.DOCKER_CONTEXT, by: 'DOCKER_CONTEXT' } : currentContext(configDir);
  if (named && named.name !== 'default') return fromContext(configDir, named.name, named.by);
  return defaultEndpoint();
}

function defaultEndpoint(): EngineEndpoint {
  // Docker Desktop's per-user socket first, as the Docker client library does.
  const user = join(homedir(), '.docker', 'run', 'docker.sock');
  const path =
    process.platform === 'win32' ? '//./pipe/docker_engine' : existsSync(user) ? user : '/var/run/docker.sock';
  return {
    host: process.platform === 'win32' ? `npipe://${path}` : `unix://${path}`,
    source: 'the default socket',
    remote: false,
  };
}

function fromHost(host: string, source: string, tls: () => EngineTls | undefined): EngineEndpoint {
  const written = host.includes('://') ? host : `tcp://${host}`;
  let url: URL;
  try {
    url = new URL(written);
  } catch {
    throw new AppError(
      'invalid_input',
      `${source}=${host} is not an engine address: expected unix:///path, tcp://host:port or ssh://user@host`,
    );
  }
  switch (url.protocol) {
    case 'unix:':
    case 'npipe:':
      return written === 'unix://' ? { ...defaultEndpoint(), source } : { host: written, source, remote: false };
    case 'tcp:': {
      const secure = tls();
      const port = url.port || (secure ? '2376' : '2375');
      return {
        host: `tcp://${url.hostname}:${port}`,
        source,
        remote: !isLoopback(url.hostname),
        ...(secure ? { tls: secure } : {}),
      };
    }
    case 'ssh:':
      if (!url.hostname)
        throw new AppError('invalid_input', `${source}=${host} names no host: expected ssh://user@host`);
      return { host: written, source, remote: true };
    default:
      throw new AppError(
        'invalid_input',
        `${source}=${host}: Procdock speaks unix://, tcp:// and ssh:// to an engine, not ${url.protocol}//`,
      );
  }
}

/** The Docker CLI's rule: any non-empty `DOCKER_TLS_VERIFY` verifies, `DOCKER_TLS` alone encrypts only. */
function tlsFromEnv(env: NodeJS.ProcessEnv, configDir: string): EngineTls | undefined {
  const verify = !!env.DOCKER_TLS_VERIFY;
  if (!verify && !env.DOCKER_TLS) return undefined;
  const dir = env.DOCKER_CERT_PATH || configDir;
  const variable = env.DOCKER_CERT_PATH ? 'DOCKER_CERT_PATH' : 'the Docker config folder (DOCKER_CERT_PATH is not set)';
  return readTls(
    dir,
    verify,
    (file) =>
      `DOCKER_TLS_VERIFY is set, but ${join(dir, file)} is missing: put the engine's CA certificate in ${variable}`,
  );
}

function readTls(dir: string, verify: boolean, missingCa: (file: string) => string): EngineTls {
  const read = (file: string) => (existsSync(join(dir, file)) ? readFileSync(join(dir, file)) : undefined);
  const ca = read('ca.pem');
  if (verify && !ca) throw new AppError('invalid_input', missingCa('ca.pem'));
  const cert = read('cert.pem');
  const key = read('key.pem');
  if (!cert !== !key) {
    throw new AppError(
      'invalid_input',
      `${join(dir, cert ? 'key.pem' : 'cert.pem')} is missing: a client certificate needs both cert.pem and key.pem`,
    );
  }
  return { verify, dir, ...(ca ? { ca } : {}), ...(cert && key ? { cert, key } : {}) };
}

function currentContext(configDir: string): { name: string; by: string } | undefined {
  const file = join(configDir, 'config.json');
  if (!existsSync(file)) return undefined;
  let config: { currentContext?: unknown };
  try {
    config = JSON.parse(readFileSync(file, 'utf8')) as { currentContext?: unknown };
  } catch (error) {
    throw new AppError('invalid_input', `${file}: not JSON (${(error as Error).message})`);
  }
  return typeof config.currentContext === 'string' && config.currentContext
    ? { name: config.currentContext, by: file }
    : undefined;
}

interface ContextMeta {
  Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } };
}

/** A context as `docker context create` stores it: meta and TLS files under a digest of its name. */
function fromContext(configDir: string, name: string, by: string): EngineEndpoint {
  const id = createHash('sha256').update(name).digest('hex');
  const metaFile = join(configDir, 'contexts', 'meta', id, 'meta.json');
  const source = `context "${name}"`;
  if (!existsSync(metaFile)) {
    throw new AppError(
      'invalid_input',
      `${source} (named by ${by}) does not exist in ${join(configDir, 'contexts')}: docker context ls lists the ones there are`,
    );
  }
  let meta: ContextMeta;
  try {
    meta = JSON.parse(readFileSync(metaFile, 'utf8')) as ContextMeta;
  } catch (error) {
    throw new AppError('invalid_input', `${metaFile}: not JSON (${(error as Error).message})`);
  }
  const docker = meta.Endpoints?.docker;
  if (!docker?.Host)
    throw new AppError('invalid_input', `${metaFile}: ${source} has no Docker endpoint (Endpoints.docker.Host)`);
  const tlsDir = join(configDir, 'contexts', 'tls', id, 'docker');
  const hasTls = ['ca.pem', 'cert.pem', 'key.pem'].some((file) => existsSync(join(tlsDir, file)));
  return fromHost(docker.Host, source, () =>
    hasTls || docker.SkipTLSVerify
      ? readTls(tlsDir, !docker.SkipTLSVerify, (file) => `${source} verifies TLS, but ${join(tlsDir, file)} is missing`)
      : undefined,
  );
}

function isLoopback(hostname: string): boolean {
  return (
    hostname === 'localhost' || hostname === '[::1]' || hostname === '::1' || /^127\.\d+\.\d+\.\d+$/.test(hostname)
  );
}
