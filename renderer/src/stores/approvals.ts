import { create } from 'zustand';
import type { ApprovalRequestView } from '../../../src/shared/api';
import type { OperationInput } from '../../../src/shared/operations';
import { hub } from '../api/hub-client';
import { attempt } from './run-action';

export type ApprovalAnswer = OperationInput<'approvals.answer'>['answer'];

interface ApprovalsState {
  /** Calls held for this window's answer, oldest first. */
  pending: ApprovalRequestView[];
  /** Why the last answer did not land (the call was answered elsewhere, or expired). */
  error: string | undefined;
  /** A request the hub just announced. */
  receive(request: ApprovalRequestView): void;
  /** Reads what is held now: requests from before this page opened, and drops those settled elsewhere. */
  refresh(): Promise<void>;
  answer(id: string, answer: ApprovalAnswer): Promise<void>;
  /** Forgets a request whose time ran out: the hub has refused the call. */
  expire(id: string): void;
}

/** When each request was heard of, by a counter: a list read before it came must not drop it. */
const heard = new Map<string, number>();
let clock = 0;

/** Mirrors the calls the hub holds for an answer from a Procdock window (policy `ask`). */
export const useApprovals = create<ApprovalsState>((set, get) => ({
  pending: [],
  error: undefined,
  receive(request) {
    heard.set(request.id, ++clock);
    set((state) => (state.pending.some((p) => p.id === request.id) ? state : { pending: [...state.pending, request] }));
  },
  async refresh() {
    const asked = clock;
    const failed = await attempt(async () => {
      const held = await hub.run('approvals.list', {});
      const newer = get().pending.filter((p) => (heard.get(p.id) ?? 0) > asked && !held.some((h) => h.id === p.id));
      set({ pending: [...held, ...newer].sort((a, b) => a.asked_at.localeCompare(b.asked_at)) });
    });
    if (failed) set({ error: failed });
  },
  async answer(id, answer) {
    let answered = false;
    const failed = await attempt(async () => {
      answered = (await hub.run('approvals.answer', { id, answer })).answered;
    });
    heard.delete(id);
    set((state) => ({
      pending: state.pending.filter((p) => p.id !== id),
      error: failed ?? (answered ? undefined : 'That call was no longer waiting: it was answered in another window, or its time ran out.'),
    }));
    if (get().pending.length === 0) await get().refresh();
  },
  expire(id) {
    heard.delete(id);
    set((state) => ({ pending: state.pending.filter((p) => p.id !== id) }));
  },
}));
