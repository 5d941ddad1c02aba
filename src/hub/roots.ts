import { isAbsolute, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { HostMount } from '../sandbox/sandbox.js';
import type { CallRelay } from '../upstream/upstream-session.js';

interface Root {
  uri: string;
  name?: string;
}

/**
 * A client's roots as a server in a container sees them: a root inside a folder granted to the
 * server becomes the same place under its container path; every other root is left out, never
 * invented (the server could not open it).
 */
export function mapRoots(roots: readonly Root[], mounts: readonly HostMount[]): Root[] {
  return roots.flatMap((root) => {
    let path: string;
    try {
      path = fileURLToPath(root.uri);
    } catch {
      return [];
    }
    for (const mount of mounts) {
      const rel = relative(mount.host_path, path);
      if (rel.startsWith('..') || isAbsolute(rel)) continue;
      const inside = rel === '' ? mount.container_path : `${mount.container_path}/${rel.split('\\').join('/')}`;
      return [{ ...root, uri: pathToFileURL(inside).href }];
    }
    return [];
  });
}

/** A call's relay whose `roots/list` answers are mapped onto the server's granted folders. */
export function relayWithRoots(relay: CallRelay | undefined, mounts: readonly HostMount[]): CallRelay | undefined {
  if (!relay) return undefined;
  return {
    ...relay,
    async request(request) {
      const answer = await relay.request(request);
      if (request.method !== 'roots/list' || !Array.isArray(answer.roots)) return answer;
      return { ...answer, roots: mapRoots(answer.roots as Root[], mounts) };
    },
  };
}
