import { statSync } from 'node:fs';
import { checkMount } from '../apps/host-mounts.js';
import type { HostMount } from '../sandbox/sandbox.js';
import type { Catalog } from '../catalog/catalog.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import { AppError } from '../shared/errors.js';
import type { OperationName, OperationOutputs, ParsedInput } from '../shared/operations.js';
import type { AppRegistry } from './app-registry.js';
import type { Views } from './views.js';

type StateOperation = 'volumes.list' | 'mounts.list' | 'mounts.add' | 'mounts.remove';
type StateHandlers = { [N in StateOperation & OperationName]: (input: ParsedInput<N>) => Promise<OperationOutputs[N]> | OperationOutputs[N] };

export interface StateContext {
  catalog: Catalog;
  registry: AppRegistry;
  views: Views;
  sandbox: Sandbox;
  dataDir: string;
  /** Announces a change (warm pools restart with the new mounts). */
  changed(): void;
  /** Syncs the app's servers that are in error again: a folder they needed may be there now. */
  retryFailedSyncs(appId: string): Promise<void>;
}

/** App volumes and the host folders a user grants: what lets a server keep state or see files. */
export function stateHandlers(hub: StateContext): StateHandlers {
  const { catalog, registry, views } = hub;
  return {
    'volumes.list': ({ app }) => hub.sandbox.volumes(app === undefined ? undefined : registry.app(app).name),
    'mounts.list': ({ app }) => {
      const row = registry.app(app);
      return catalog.mounts.listByApp(row.id).map((mount) => views.mount(row.name, mount));
    },
    'mounts.add': async ({ app, process, ...wanted }) => {
      const row = registry.app(app);
      const servers = catalog.servers.listByApp(row.id).filter((s) => process === undefined || s.process_type === process);
      if (servers.length === 0) throw new AppError('not_found', `app "${row.name}" has no server "${process}"`);
      const mount = grantable(hub.sandbox, wanted, hub.dataDir);
      if (catalog.mounts.find(row.id, mount.container_path)) {
        throw new AppError('conflict', `app "${row.name}" already has a folder at ${mount.container_path}: remove it first (procdock mounts:remove ${row.name} ${mount.container_path})`);
      }
      const volume = servers.find((s) => s.settings.volumes.includes(mount.container_path));
      if (volume) throw new AppError('conflict', `${mount.container_path} is an app volume of ${row.name}/${volume.process_type}`);
      catalog.mounts.add(row.id, process ?? null, mount);
      hub.changed();
      await hub.retryFailedSyncs(row.id);
      return views.mount(row.name, catalog.mounts.find(row.id, mount.container_path)!);
    },
    'mounts.remove': ({ app, container_path }) => {
      const row = registry.app(app);
      if (!catalog.mounts.remove(row.id, container_path)) {
        throw new AppError('not_found', `app "${row.name}" has no folder at ${container_path}`);
      }
      hub.changed();
      return { app: row.name, removed: container_path };
    },
  };
}

/**
 * Why a server could not use a granted folder: under a hub that runs as root, a call runs as the
 * folder's owner, never as root, so of a folder of root's it has only what root gives others: a
 * folder others may not read (or enter) is closed to it, and one they may not write stays
 * read-only.
 */
function closedToServers(path: string, readWrite: boolean): string | undefined {
  if ((process.getuid?.() ?? 1) !== 0) return undefined;
  const folder = statSync(path, { throwIfNoEntry: false });
  if (!folder || folder.uid !== 0) return undefined;
  if ((folder.mode & 0o005) !== 0o005) {
    return `${path} belongs to root, and only root may read it, but a server never runs as root, so it could not read there: give the folder to a user (chown USER ${path}), or let others read it (chmod o+rx ${path}); nothing was granted`;
  }
  if (readWrite && (folder.mode & 0o002) === 0) {
    return `${path} belongs to root, and a server never runs as root, so it could not write there: give the folder to a user (chown USER ${path}), or grant it read-only; nothing was granted`;
  }
  return undefined;
}

/** A host folder checked for granting: refused on a remote engine, then as `checkMount` refuses it. */
export function grantable(sandbox: Sandbox, mount: HostMount, dataDir: string): HostMount {
  const refused = sandbox.hostFoldersRefused();
  if (refused) throw new AppError('forbidden', `${mount.host_path}: ${refused}; nothing was granted`);
  const checked = checkMount(mount, dataDir);
  const closed = sandbox.kind === 'docker' ? closedToServers(checked.host_path, checked.read_write) : undefined;
  if (closed) throw new AppError('invalid_input', closed);
  return checked;
}
