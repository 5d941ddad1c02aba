import { create } from 'zustand';
import type { AppView, ConfigKeysView, DoctorCheck, HubInfo, ServerDetailView, ServerView } from '../../../src/shared/api';
import { hub } from '../api/hub-client';
import { attempt, omit } from './run-action';

/** How many lines of an app's last build the page keeps. */
const buildLogLines = 200;

interface ServersState {
  apps: AppView[];
  servers: ServerView[];
  info: HubInfo | undefined;
  loading: boolean;
  /** The last failed action, until the next one starts. */
  error: string | undefined;
  /** Why the hub could not be read, until it can. */
  loadError: string | undefined;
  busy: string | undefined;
  /** The lines of each app's image build, newest last. */
  buildLog: Record<string, string[]>;
  /** What `procdock doctor` finds, shown while there are no apps. */
  doctor: DoctorCheck[] | undefined;
  /** Details of the servers the user opened, by `app/process`. */
  details: Record<string, ServerDetailView>;
  detailErrors: Record<string, string>;
  /** Per app: the attach or detach that was refused, shown beside its controls. */
  attachErrors: Record<string, string>;
  /** Config var names per app, and the values the user revealed. */
  config: Record<string, ConfigKeysView>;
  revealed: Record<string, string>;
  showProgress(app: string, line: string): void;
  checkSetup(): Promise<void>;
  refresh(): Promise<void>;
  addApp(path: string): Promise<boolean>;
  removeApp(name: string): Promise<void>;
  sync(app: string): Promise<void>;
  setRunning(app: string, processType: string, running: boolean): Promise<void>;
  loadDetail(app: string, processType: string): Promise<void>;
  attach(app: string, resource: string): Promise<boolean>;
  detach(app: string, resource: string): Promise<void>;
  loadConfig(app: string): Promise<void>;
  reveal(app: string, key: string): Promise<void>;
  hide(app: string, key: string): void;
  setConfig(app: string, key: string, value: string): Promise<string | undefined>;
  unsetConfig(app: string, key: string): Promise<void>;
}

export const serverKey = (app: string, processType: string) => `${app}/${processType}`;

/** Mirrors the hub's apps and servers; the hub owns them, this store only follows. */
export const useServers = create<ServersState>((set, get) => {
  const act = async (busy: string, work: () => Promise<unknown>) => {
    set({ busy, error: undefined });
    const error = await attempt(work);
    set({ busy: undefined, ...(error ? { error } : {}) });
    await get().refresh();
  };
  return {
    apps: [],
    servers: [],
    info: undefined,
    loading: true,
    error: undefined,
    loadError: undefined,
    busy: undefined,
    buildLog: {},
    doctor: undefined,
    details: {},
    detailErrors: {},
    attachErrors: {},
    config: {},
    revealed: {},
    async checkSetup() {
      // The checks are a hint; the page works without them.
      await attempt(async () => set({ doctor: await hub.run('hub.doctor', {}) }));
    },
    showProgress(app, line) {
      set((state) => ({ buildLog: { ...state.buildLog, [app]: [...(state.buildLog[app] ?? []), line].slice(-buildLogLines) } }));
    },
    async refresh() {
      try {
        const [apps, servers, info] = await Promise.all([hub.run('apps.list', {}), hub.run('servers.list', {}), hub.run('hub.info', {})]);
        set({ apps, servers, info, loading: false, loadError: undefined });
        // Open details follow the hub too.
        await Promise.all(Object.values(get().details).map((d) => get().loadDetail(d.app_name, d.process_type)));
      } catch (error) {
        set({ loading: false, loadError: `cannot reach the hub: ${(error as Error).message}` });
      }
    },
    async addApp(path) {
      set({ busy: `Registering ${path}…`, error: undefined });
      const error = await attempt(() => hub.run('apps.add', { path }));
      set({ busy: undefined, ...(error ? { error } : {}) });
      await get().refresh();
      return !error;
    },
    removeApp: (name) => act(`Removing ${name}…`, () => hub.run('apps.remove', { name })),
    sync: (app) => {
      set((state) => ({ buildLog: { ...state.buildLog, [app]: [] } }));
      return act(`Syncing ${app}…`, () => hub.run('sync', { app }));
    },
    setRunning: (app, processType, running) =>
      act(`${running ? 'Starting' : 'Stopping'} ${app}/${processType}…`, () =>
        hub.run(running ? 'servers.start' : 'servers.stop', { app, process: processType }),
      ),
    async loadDetail(app, processType) {
      const key = serverKey(app, processType);
      try {
        const detail = await hub.run('servers.detail', { app, process: processType });
        set((state) => ({ details: { ...state.details, [key]: detail }, detailErrors: omit(state.detailErrors, key) }));
      } catch (error) {
        set((state) => ({ details: omit(state.details, key), detailErrors: { ...state.detailErrors, [key]: (error as Error).message } }));
      }
    },
    async attach(app, resource) {
      const error = await attempt(() => hub.run('attach', { app, resource }));
      set((state) => ({ attachErrors: error ? { ...state.attachErrors, [app]: error } : omit(state.attachErrors, app) }));
      await get().refresh();
      return !error;
    },
    async detach(app, resource) {
      const error = await attempt(() => hub.run('detach', { app, resource }));
      set((state) => ({ attachErrors: error ? { ...state.attachErrors, [app]: error } : omit(state.attachErrors, app) }));
      await get().refresh();
    },
    async loadConfig(app) {
      const error = await attempt(async () => {
        const keys = await hub.run('config.keys', { app });
        set((state) => ({ config: { ...state.config, [app]: keys } }));
      });
      if (error) set({ error });
    },
    async reveal(app, key) {
      const error = await attempt(async () => {
        const { value } = await hub.run('config.reveal', { app, key });
        set((state) => ({ revealed: { ...state.revealed, [`${app}:${key}`]: value } }));
      });
      if (error) set({ error });
    },
    hide(app, key) {
      set((state) => ({ revealed: omit(state.revealed, `${app}:${key}`) }));
    },
    async setConfig(app, key, value) {
      const error = await attempt(() => hub.run('config.set', { app, vars: { [key]: value } }));
      set((state) => ({ revealed: omit(state.revealed, `${app}:${key}`) }));
      await get().loadConfig(app);
      return error;
    },
    async unsetConfig(app, key) {
      const error = await attempt(() => hub.run('config.unset', { app, keys: [key] }));
      if (error) set({ error });
      set((state) => ({ revealed: omit(state.revealed, `${app}:${key}`) }));
      await get().loadConfig(app);
    },
  };
});
