import { create } from 'zustand';
import type { CallRecordView } from '../../../src/shared/api';
import { hub } from '../api/hub-client';

interface CallsState {
  calls: CallRecordView[];
  refresh(): Promise<void>;
}

/** Mirrors the newest entries of the hub's call log. */
export const useCalls = create<CallsState>((set) => ({
  calls: [],
  async refresh() {
    set({ calls: await hub.run('calls.list', { limit: 50 }) });
  },
}));
