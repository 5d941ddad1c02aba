import { create } from 'zustand';
import type { VolumeView } from '../../../src/shared/api';
import type { OperationInput } from '../../../src/shared/operations';
import { hub } from '../api/hub-client';
import { attempt, omit } from './run-action';

export type FolderGrant = Omit<OperationInput<'mounts.add'>, 'app'>;

interface FilesState {
  /** Each app's volumes with their sizes, read when the user looks (sizes cost the engine a scan). */
  volumes: Record<string, VolumeView[]>;
  volumeErrors: Record<string, string>;
  loadVolumes(app: string): Promise<void>;
  /** Grants a host folder; returns the hub's refusal (which changed nothing), if any. */
  grant(app: string, grant: FolderGrant): Promise<string | undefined>;
  /** Takes a folder back; returns why not, if it failed. */
  revoke(app: string, containerPath: string): Promise<string | undefined>;
  /** Whether the system's folder picker is at hand (in the desktop app, not in a browser). */
  canChoose: boolean;
  /** The folder the user picked in the system's dialog, if any. */
  chooseFolder(): Promise<string | undefined>;
}

/** What lets servers keep state and see files: app volumes, and the host folders the user grants. */
export const useFiles = create<FilesState>((set) => ({
  volumes: {},
  volumeErrors: {},
  async loadVolumes(app) {
    const error = await attempt(async () => {
      const found = await hub.run('volumes.list', { app });
      set((state) => ({ volumes: { ...state.volumes, [app]: found } }));
    });
    set((state) => ({ volumeErrors: error ? { ...state.volumeErrors, [app]: error } : omit(state.volumeErrors, app) }));
  },
  grant: (app, grant) => attempt(() => hub.run('mounts.add', { app, ...grant })),
  revoke: (app, containerPath) => attempt(() => hub.run('mounts.remove', { app, container_path: containerPath })),
  canChoose: hub.chooseFolder !== undefined,
  chooseFolder: async () => hub.chooseFolder?.(),
}));
