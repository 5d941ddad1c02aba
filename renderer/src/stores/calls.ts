import { create } from 'zustand';
import type { CallRecordView } from '../../../src/shared/api';
import { hub } from '../api/hub-client';
import { decisionKind, type DecisionKind } from './decisions';

export interface CallFilter {
  /** `app/process`, or empty for every server. */
  server: string;
  tool: string;
  status: '' | 'running' | 'ok' | 'error';
  /** What the approval policy did; applied to the calls read, as the hub does not filter by it. */
  decision: '' | DecisionKind;
}

interface CallsState {
  calls: CallRecordView[];
  /** The calls read that pass the decision filter: what the page lists. */
  shown: CallRecordView[];
  /** Every server and tool seen in the log, for the filters' choices. */
  known: { servers: string[]; tools: string[] };
  filter: CallFilter;
  selected: CallRecordView | undefined;
  error: string | undefined;
  refresh(): Promise<void>;
  setFilter(change: Partial<CallFilter>): Promise<void>;
  open(id: string): Promise<void>;
  close(): void;
}

/** How many calls the Activity page reads: enough for its chart, few enough to draw at once. */
const pageSize = 500;

/** Mirrors the hub's call log, filtered as the user asked, and the one call opened. */
export const useCalls = create<CallsState>((set, get) => ({
  calls: [],
  shown: [],
  known: { servers: [], tools: [] },
  filter: { server: '', tool: '', status: '', decision: '' },
  selected: undefined,
  error: undefined,
  async refresh() {
    const { server, tool, status } = get().filter;
    const [app, process] = server ? server.split('/') : [];
    try {
      const calls = await hub.run('calls.list', {
        limit: pageSize,
        ...(app && process ? { app, process } : {}),
        ...(tool ? { tool } : {}),
        ...(status ? { status } : {}),
      });
      set((state) => ({
        calls,
        shown: state.filter.decision ? calls.filter((c) => decisionKind(c.decision) === state.filter.decision) : calls,
        error: undefined,
        known: {
          servers: merge(state.known.servers, calls.map((c) => `${c.app_name}/${c.process_type}`)),
          tools: merge(state.known.tools, calls.map((c) => c.tool)),
        },
      }));
      const selected = get().selected;
      if (selected?.status === 'running') await get().open(selected.id);
    } catch (error) {
      set({ error: (error as Error).message });
    }
  },
  async setFilter(change) {
    set((state) => ({ filter: { ...state.filter, ...change } }));
    await get().refresh();
  },
  async open(id) {
    try {
      set({ selected: await hub.run('calls.get', { id }) });
    } catch (error) {
      set({ error: (error as Error).message });
    }
  },
  close() {
    set({ selected: undefined });
  },
}));

function merge(known: string[], seen: string[]): string[] {
  return [...new Set([...known, ...seen])].sort();
}
