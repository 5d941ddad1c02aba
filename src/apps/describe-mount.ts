import { homedir } from 'node:os';
import { isAbsolute, relative } from 'node:path';
import type { HostMount } from '../sandbox/sandbox.js';

/** "reads ~/notes" or "writes ~/notes": how a mount is shown wherever its server is. */
export function describeMount(mount: HostMount): string {
  const home = homedir();
  const shown = within(mount.host_path, home) ? `~${mount.host_path.slice(home.length)}` : mount.host_path;
  return `${mount.read_write ? 'writes' : 'reads'} ${shown} at ${mount.container_path}`;
}

/** Whether `path` is `folder` or inside it. */
export function within(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}
