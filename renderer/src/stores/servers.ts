import { create } from 'zustand';
import type { AppView, DoctorCheck, HubInfo, ModelResourceView, ServerView } from '../../../src/shared/api';
import { hub } from '../api/hub-client';

interface ServersState {
  apps: AppView[];
  servers: ServerView[];
  models: ModelResourceView[];
  info: HubInfo | undefined;
  loading: boolean;
  /** The last failed action, until the next one starts. */
  error: string | undefined;
  /** Why the hub could not be read, until it can. */
  loadError: string | undefined;
  busy: string | undefined;
  /** The last line of an image build that is running, by app. */
  progress: Record<string, string>;
  /** What `procdock doctor` finds, shown while there are no apps. */
  doctor: DoctorCheck[] | undefined;
  showProgress(app: string, line: string): void;
  checkSetup(): Promise<void>;
  refresh(): Promise<void>;
  addApp(path: string): Promise<boolean>;
  removeApp(name: string): Promise<void>;
  sync(app: string): Promise<void>;
  setRunning(app: string, processType: string, running: boolean): Promise<void>;
}

/** Mirrors the hub's apps and servers; the hub owns them, this store only follows. */
export const useServers = create<ServersState>((set, get) => ({
  apps: [],
  servers: [],
  models: [],
  info: undefined,
  loading: true,
  error: undefined,
  loadError: undefined,
  busy: undefined,
  progress: {},
  doctor: undefined,
  async checkSetup() {
    try {
      set({ doctor: await hub.run('hub.doctor', {}) });
    } catch {
      // The checks are a hint; the page works without them.
    }
  },
  showProgress(app, line) {
    set((state) => ({ progress: { ...state.progress, [app]: line } }));
  },
  async refresh() {
    try {
      const [apps, servers, models, info] = await Promise.all([
        hub.run('apps.list', {}),
        hub.run('servers.list', {}),
        hub.run('models.list', {}),
        hub.run('hub.info', {}),
      ]);
      set({ apps, servers, models, info, loading: false, loadError: undefined });
    } catch (error) {
      set({ loading: false, loadError: `cannot reach the hub: ${(error as Error).message}` });
    }
  },
  async addApp(path) {
    set({ busy: `Registering ${path}…`, error: undefined });
    try {
      await hub.run('apps.add', { path });
      return true;
    } catch (error) {
      set({ error: (error as Error).message });
      return false;
    } finally {
      set({ busy: undefined });
      await get().refresh();
    }
  },
  async removeApp(name) {
    await run(set, `Removing ${name}…`, () => hub.run('apps.remove', { name }));
    await get().refresh();
  },
  async sync(app) {
    await run(set, `Syncing ${app}…`, () => hub.run('sync', { app }));
    await get().refresh();
  },
  async setRunning(app, processType, running) {
    await run(set, `${running ? 'Starting' : 'Stopping'} ${app}/${processType}…`, () =>
      hub.run(running ? 'servers.start' : 'servers.stop', { app, process: processType }),
    );
    await get().refresh();
  },
}));

async function run(set: (partial: Partial<ServersState>) => void, busy: string, work: () => Promise<unknown>) {
  set({ busy, error: undefined });
  try {
    await work();
  } catch (error) {
    set({ error: (error as Error).message });
  } finally {
    set({ busy: undefined });
  }
}
