import { create } from 'zustand';
import type { ConnectView, LocalModelServer, ModelResourceView } from '../../../src/shared/api';
import type { OperationInput } from '../../../src/shared/operations';
import { hub } from '../api/hub-client';
import { attempt } from './run-action';

type Client = OperationInput<'connect'>['client'];

interface ModelsState {
  models: ModelResourceView[];
  loaded: boolean;
  /** Ollama and LM Studio found running on this machine. */
  local: LocalModelServer[];
  probing: boolean;
  /** INFERENCE_KEYs the user revealed, by resource. */
  keys: Record<string, string>;
  /** The last outcome per resource (connected, rotated) or its error, shown in place. */
  notes: Record<string, { text: string; error?: boolean }>;
  refresh(): Promise<void>;
  discover(): Promise<void>;
  create(input: OperationInput<'models.create'>): Promise<string | undefined>;
  update(input: OperationInput<'models.update'>): Promise<string | undefined>;
  remove(name: string): Promise<void>;
  revealKey(name: string): Promise<string | undefined>;
  hideKey(name: string): void;
  rotateKey(name: string): Promise<void>;
  connect(name: string, client: Client, project?: string): Promise<ConnectView | undefined>;
}

/** Mirrors the hub's model resources and what the user asked of their keys. */
export const useModels = create<ModelsState>((set, get) => {
  const note = (name: string, text: string, error = false) =>
    set((state) => ({ notes: { ...state.notes, [name]: error ? { text, error } : { text } } }));
  return {
    models: [],
    loaded: false,
    local: [],
    probing: false,
    keys: {},
    notes: {},
    async refresh() {
      await attempt(async () => set({ models: await hub.run('models.list', {}), loaded: true }));
    },
    async discover() {
      set({ probing: true });
      await attempt(async () => set({ local: await hub.run('models.discover', {}) }));
      set({ probing: false });
    },
    async create(input) {
      const error = await attempt(() => hub.run('models.create', input));
      await get().refresh();
      return error;
    },
    async update(input) {
      const error = await attempt(() => hub.run('models.update', input));
      await get().refresh();
      return error;
    },
    async remove(name) {
      const error = await attempt(() => hub.run('models.remove', { name }));
      if (error) note(name, error, true);
      await get().refresh();
    },
    async revealKey(name) {
      try {
        const { INFERENCE_KEY } = await hub.run('key', { resource: name });
        set((state) => ({ keys: { ...state.keys, [name]: INFERENCE_KEY } }));
        return INFERENCE_KEY;
      } catch (error) {
        note(name, (error as Error).message, true);
        return undefined;
      }
    },
    hideKey(name) {
      set((state) => {
        const { [name]: _hidden, ...keys } = state.keys;
        return { keys };
      });
    },
    async rotateKey(name) {
      try {
        const { INFERENCE_KEY } = await hub.run('key.rotate', { resource: name });
        set((state) => ({ keys: { ...state.keys, [name]: INFERENCE_KEY } }));
        note(name, 'New key made: the old one is refused from now on. Clients need the new one (Connect again).');
      } catch (error) {
        note(name, (error as Error).message, true);
      }
    },
    async connect(name, client, project) {
      try {
        const done = await hub.run('connect', { client, resource: name, ...(project ? { project } : {}) });
        note(name, `${done.replaced ? 'Updated' : 'Added'} “${done.entry}” in ${done.file}${done.backup ? ` (backup: ${done.backup})` : ''}.`);
        return done;
      } catch (error) {
        note(name, (error as Error).message, true);
        return undefined;
      }
    },
  };
});
