import { create } from 'zustand';
import type { PolicyValue, PolicyView, ToolDiffView } from '../../../src/shared/api';
import { hub } from '../api/hub-client';
import { attempt, omit } from './run-action';

interface TrustState {
  /** Tool definitions that changed or are new since the user approved them, for every app. */
  diffs: ToolDiffView[];
  /** Each app's tools and the policy each runs under, for the apps whose policies are shown. */
  policies: Record<string, PolicyView>;
  /** The hub-wide policy for tools not annotated read-only, once an app's policies were read. */
  defaultPolicy: 'allow' | 'ask' | undefined;
  /** Per app: the last trust action that failed, shown beside its controls. */
  errors: Record<string, string>;
  refresh(): Promise<void>;
  loadPolicies(app: string): Promise<void>;
  setPolicy(app: string, tool: string, policy: PolicyValue): Promise<void>;
  setDefault(policy: 'allow' | 'ask'): Promise<void>;
  /** Accepts the listed definitions of an app (`process/tool`), or all that wait when none is named. */
  approve(app: string, tools: string[]): Promise<void>;
  setPinning(app: string, pin: boolean): Promise<void>;
}

/** Mirrors what the hub trusts: pinned definitions waiting for approval, and approval policies. */
export const useTrust = create<TrustState>((set, get) => {
  const act = async (app: string, work: () => Promise<unknown>) => {
    const error = await attempt(work);
    set((state) => ({ errors: error ? { ...state.errors, [app]: error } : omit(state.errors, app) }));
  };
  return {
    diffs: [],
    policies: {},
    defaultPolicy: undefined,
    errors: {},
    async refresh() {
      await attempt(async () => set({ diffs: await hub.run('tools.diff', {}) }));
      await Promise.all(Object.keys(get().policies).map((app) => get().loadPolicies(app)));
    },
    async loadPolicies(app) {
      const error = await attempt(async () => {
        const view = await hub.run('policy.get', { app });
        set((state) => ({ policies: { ...state.policies, [app]: view }, defaultPolicy: view.default }));
      });
      // An app removed meanwhile: forget it rather than show an error nobody can act on.
      if (error) set((state) => ({ policies: omit(state.policies, app) }));
    },
    async setPolicy(app, tool, policy) {
      await act(app, async () => {
        const view = await hub.run('policy.set', { app, tool, policy });
        set((state) => ({ policies: { ...state.policies, [app]: view } }));
      });
    },
    async setDefault(policy) {
      await act('', () => hub.run('policy.default', { policy }));
      await get().refresh();
    },
    async approve(app, tools) {
      await act(app, () => hub.run('tools.approve', { app, tools }));
      await get().refresh();
    },
    async setPinning(app, pin) {
      await act(app, () => hub.run('apps.pin', { app, pin }));
      await get().refresh();
    },
  };
});
