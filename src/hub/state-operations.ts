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

/** A host folder checked for granting: refused on a remote engine, then as `checkMount` refuses it. */
/**
 * Why a server could not write a folder granted `:rw`: under a hub that runs as root, a call runs
 * as the folder's owner, never as root, so a folder only root may write stays read-only to it.
 */
function onlyRootWrites(path: string): string | undefined {
  if ((process.getuid?.() ?? 1) !== 0) return undefined;
  const folder = statSync(path, { throwIfNoEntry: false });
  if (!folder || folder.uid !== 0 || (folder.mode & 0o002) !== 0) return undefined;
  return `${path} belongs to root, and a server never runs as root, so it could not write there: give the folder to a user (chown USER ${path}), or grant it read-only; nothing was granted`;
}

export function grantable(sandbox: Sandbox, mount: HostMount, dataDir: string): HostMount {
  const refused = sandbox.hostFoldersRefused();
  if (refused) throw new AppError('forbidden', `${mount.host_path}: ${refused}; nothing was granted`);
  const checked = checkMount(mount, dataDir);
  const unwritable = checked.read_write && sandbox.kind === 'docker' ? onlyRootWrites(checked.host_path) : undefined;
  if (unwritable) throw new AppError('invalid_input', unwritable);
  return checked;
}
