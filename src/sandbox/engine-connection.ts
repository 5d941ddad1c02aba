import type { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type Docker from 'dockerode';
import { AppError } from '../shared/errors.js';
import { loadDockerode } from './dockerode-loader.js';
import type { EngineEndpoint } from './engine-endpoint.js';
import { SshDialAgent } from './ssh-dial.js';

/** A client of one engine. The sandbox that opened it calls `close()`, which ends its connections. */
export interface EngineConnection {
  docker: Docker;
  endpoint: EngineEndpoint;
  close(): void;
}

/** Opens a client of the engine at an endpoint: a socket, TCP (with TLS when asked) or ssh. */
export async function connectEngine(endpoint: EngineEndpoint): Promise<EngineConnection> {
  const Dockerode = await loadDockerode();
  const url = new URL(endpoint.host);
  let agent: Agent | undefined;
  let options: Record<string, unknown>;
  if (url.protocol === 'unix:' || url.protocol === 'npipe:') {
    options = { socketPath: endpoint.host.replace(/^[a-z]+:\/\//, '') };
  } else if (url.protocol === 'ssh:') {
    agent = new SshDialAgent(endpoint.host);
    options = { protocol: 'http', host: url.hostname, port: 2375, agent };
  } else {
    const { tls } = endpoint;
    // The agent's TLS settings win over anything the client library read from the environment.
    if (tls)
      agent = new HttpsAgent({
        keepAlive: true,
        ca: tls.ca,
        cert: tls.cert,
        key: tls.key,
        rejectUnauthorized: tls.verify,
      });
    options = {
      protocol: tls ? 'https' : 'http',
      host: url.hostname,
      port: Number(url.port),
      ...(agent ? { agent } : {}),
    };
  }
  try {
    return { docker: new Dockerode(options), endpoint, close: () => agent?.destroy() };
  } catch (error) {
    throw new AppError(
      'invalid_input',
      `cannot use the engine at ${endpoint.host} (${endpoint.source}): ${(error as Error).message}`,
    );
  }
}

/** What `GET /version` says about the engine. */
export interface EngineVersion {
  Version?: string;
  ApiVersion?: string;
  Os?: string;
  Arch?: string;
  Components?: { Name?: string; Version?: string }[];
}

/** The engine as doctor, hub.info and the UI name it. */
export interface EngineIdentity {
  /** "Docker Engine", "Podman", or what the engine calls itself. */
  name: string;
  version: string;
  host: string;
  remote: boolean;
  /** "Podman 4.3.1 (API 1.41, linux/amd64) at unix:///run/podman/podman.sock", and where it is when remote. */
  description: string;
}

export function identifyEngine(version: EngineVersion, endpoint: EngineEndpoint): EngineIdentity {
  const component = version.Components?.find((c) => /engine/i.test(c.Name ?? ''))?.Name ?? 'Docker Engine';
  const name = /podman/i.test(component) ? 'Podman' : component === 'Engine' ? 'Docker Engine' : component;
  const where = `${endpoint.host}${endpoint.source === 'DOCKER_HOST' || endpoint.source === 'the default socket' ? '' : ` (${endpoint.source})`}`;
  const link = endpoint.host.startsWith('ssh:')
    ? 'over SSH'
    : endpoint.tls?.verify
      ? 'over TLS'
      : endpoint.tls
        ? 'over TLS, unverified'
        : 'unencrypted';
  const platform = `API ${version.ApiVersion ?? '?'}, ${version.Os ?? '?'}/${version.Arch ?? '?'}`;
  const description = `${name} ${version.Version ?? '?'} (${platform}) at ${where}${endpoint.remote ? `, a remote host ${link}` : ''}`;
  return { name, version: version.Version ?? '?', host: endpoint.host, remote: endpoint.remote, description };
}

/** Connection failures: the engine is not there, or the way to it is shut (TLS, ssh). */
export function isEngineDown(error: unknown): boolean {
  const code = String((error as NodeJS.ErrnoException).code ?? '');
  const down = [
    'ECONNREFUSED',
    'ENOENT',
    'EACCES',
    'ECONNRESET',
    'EPIPE',
    'ETIMEDOUT',
    'EHOSTUNREACH',
    'ENETUNREACH',
    'ENOTFOUND',
    'EAI_AGAIN',
    'ESSH',
    'EPROTO',
  ];
  return down.includes(code) || isTlsFailure(code);
}

function isTlsFailure(code: string): boolean {
  return (
    code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_') || /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/.test(code)
  );
}

/** "no Docker engine: cannot reach …", with the fix that fits the way the engine is reached. */
export function engineError(error: unknown, endpoint: EngineEndpoint | undefined): AppError {
  const where = endpoint ? `${endpoint.host} (${endpoint.source})` : 'the engine';
  const code = String((error as NodeJS.ErrnoException).code ?? '');
  const said = messageOf(error).trim();
  let fix = 'start Docker, or set DOCKER_HOST';
  if (isTlsFailure(code))
    fix = `the engine's certificate or yours does not match: check ca.pem, cert.pem and key.pem in ${endpoint?.tls?.dir ?? 'DOCKER_CERT_PATH'}`;
  else if (/HTTP request to an HTTPS server/i.test(said))
    fix = 'that engine speaks TLS: set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH to the folder of its certificates';
  else if (endpoint?.host.startsWith('ssh:'))
    fix = `check that ssh reaches it without a prompt (ssh-agent or ~/.ssh/config, host key in known_hosts) and that docker runs there`;
  else if (endpoint?.remote) fix = `check that the host is up and its engine listens there`;
  return new AppError('sandbox', `no Docker engine: cannot reach ${where} (${said}); ${fix}`);
}

export function messageOf(error: unknown): string {
  const json = (error as { json?: { message?: string } }).json;
  return json?.message ?? (error instanceof Error ? error.message : String(error));
}
