import { realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import type { HostMount } from '../sandbox/sandbox.js';
import { AppError } from '../shared/errors.js';
import { within } from './describe-mount.js';
import { containerPathSchema } from './server-settings.js';

export { describeMount } from './describe-mount.js';

/** Host folders no server is ever given, nor anything inside them. */
const systemFolders = [
  '/bin', '/boot', '/dev', '/etc', '/lib', '/lib32', '/lib64', '/libx32', '/proc', '/run', '/sbin', '/sys', '/usr', '/var',
  '/System', '/Library', '/private', '/Applications', 'C:\\Windows', 'C:\\Program Files',
];

/** Where Docker-compatible engines listen; a server given one of these owns the machine. */
function engineSockets(env: NodeJS.ProcessEnv): string[] {
  const fromHost = env.DOCKER_HOST?.startsWith('unix://') ? [env.DOCKER_HOST.slice('unix://'.length)] : [];
  const runtime = env.XDG_RUNTIME_DIR ? [`${env.XDG_RUNTIME_DIR}/docker.sock`, `${env.XDG_RUNTIME_DIR}/podman/podman.sock`] : [];
  return [...fromHost, ...runtime, '/var/run/docker.sock', '/run/docker.sock', '/run/podman/podman.sock', `${homedir()}/.docker/run/docker.sock`];
}

/**
 * Parses `HOST_PATH:CONTAINER_PATH[:rw|:ro]` as the user typed it; the host path is resolved
 * against `cwd` (the caller's folder, never the hub's).
 */
export function parseMountSpec(spec: string, cwd: string): HostMount {
  const parts = spec.split(':');
  let mode: string | undefined;
  if (parts.length > 2 && ['rw', 'ro'].includes(parts.at(-1)!)) mode = parts.pop();
  const containerPath = parts.pop() ?? '';
  const hostPath = parts.join(':');
  if (!hostPath || !containerPath) throw new AppError('invalid_input', `"${spec}" is not HOST_PATH:CONTAINER_PATH[:rw]`);
  const absolute = isAbsolute(hostPath) || /^[A-Za-z]:[\\/]/.test(hostPath);
  return { host_path: absolute ? hostPath : resolve(cwd, hostPath), container_path: containerPath, read_write: mode === 'rw' };
}

/**
 * Checks a grant before anything is written: the host path must exist and is resolved through
 * symlinks; `/`, the data dir (or a folder holding it), an engine's socket and system folders are
 * refused; the container path must be a clean absolute path outside the system's folders.
 */
export function checkMount(mount: HostMount, dataDir: string, env: NodeJS.ProcessEnv = process.env): HostMount {
  const target = containerPathSchema.safeParse(mount.container_path);
  if (!target.success) throw new AppError('invalid_input', `container path ${mount.container_path}: ${target.error.issues[0]?.message ?? 'invalid'}`);
  let host: string;
  try {
    host = realpathSync(mount.host_path);
    statSync(host);
  } catch {
    throw new AppError('invalid_input', `${mount.host_path}: no such file or folder`);
  }
  const refuse = (why: string) => new AppError('forbidden', `${mount.host_path}: ${why}; nothing was granted`);
  if (host === '/' || /^[A-Za-z]:\\?$/.test(host)) throw refuse('the whole file system cannot be granted');
  const data = realpathOrSelf(dataDir);
  if (within(host, data) || within(data, host)) throw refuse(`it holds Procdock's data dir (${dataDir}), with its keys`);
  if (statSync(host).isSocket()) throw refuse('it is a socket (a container engine’s socket would give the server your machine)');
  const socket = engineSockets(env).map(realpathOrSelf).find((s) => within(s, host));
  if (socket) throw refuse(`it holds a container engine’s socket (${socket}), which would give the server your machine`);
  const system = systemFolders.find((folder) => within(host, folder));
  if (system) throw refuse(`${system} is a system folder`);
  return { host_path: host, container_path: mount.container_path, read_write: mount.read_write };
}

/**
 * Refuses an app folder whose files must not go into an image (a generated build copies the whole
 * folder): `/`, the user's home folder or one holding it, and a folder holding the data dir, or
 * inside it. A folder that does not exist is left to readAppSource to say so.
 */
export function checkAppFolder(path: string, dataDir: string, home = homedir()): void {
  const dir = realpathOrSelf(resolve(path));
  const refuse = (why: string) => new AppError('forbidden', `${dir}: ${why}; an app's folder goes into its image whole: give the app a folder of its own`);
  if (dir === '/' || /^[A-Za-z]:\\?$/.test(dir)) throw refuse('the whole file system cannot be an app');
  const data = realpathOrSelf(dataDir);
  if (within(data, dir) || within(dir, data)) throw refuse(`it holds Procdock's data dir (${dataDir}), with its keys`);
  if (within(realpathOrSelf(home), dir)) throw refuse('it holds your home folder, with your keys and logins (.ssh, cloud and npm credentials)');
}

/** The path with its symlinks resolved, or as given when it does not exist. */
export function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
