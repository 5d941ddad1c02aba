import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { ApprovalRequestView } from '../shared/api.js';

export type ApprovalAnswer = 'allow' | 'allow-for-a-while' | 'deny';

interface Pending {
  request: ApprovalRequestView;
  settle: (answer: ApprovalAnswer | 'timed-out') => void;
}

/**
 * Calls held for the user's answer in a Procdock window (the desktop app, or the UI in a browser).
 * A window that can answer follows `follow()`; with none following there is nobody to ask.
 */
export class Approvals {
  private readonly pending = new Map<string, Pending>();
  private readonly events = new EventEmitter();
  private followers = 0;

  constructor() {
    this.events.setMaxListeners(0);
  }

  /** Whether a window is there to answer. */
  get canAsk(): boolean {
    return this.followers > 0;
  }

  /** A window that shows and answers requests; returns the function that stops following. */
  follow(listener: (request: ApprovalRequestView) => void): () => void {
    this.followers++;
    this.events.on('ask', listener);
    let following = true;
    return () => {
      if (!following) return;
      following = false;
      this.followers--;
      this.events.off('ask', listener);
    };
  }

  list(): ApprovalRequestView[] {
    return [...this.pending.values()].map((p) => p.request);
  }

  /** Holds until a window answers, or `timeoutMs` passes. */
  ask(request: Omit<ApprovalRequestView, 'id' | 'asked_at' | 'expires_at'>, timeoutMs: number, signal?: AbortSignal): Promise<ApprovalAnswer | 'timed-out'> {
    const now = Date.now();
    const view: ApprovalRequestView = { ...request, id: randomUUID(), asked_at: new Date(now).toISOString(), expires_at: new Date(now + timeoutMs).toISOString() };
    return new Promise((resolve) => {
      const timer = setTimeout(() => settle('timed-out'), timeoutMs);
      const settle = (answer: ApprovalAnswer | 'timed-out') => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', abort);
        if (this.pending.delete(view.id)) this.events.emit('settled', view.id);
        resolve(answer);
      };
      const abort = () => settle('deny');
      signal?.addEventListener('abort', abort, { once: true });
      this.pending.set(view.id, { request: view, settle });
      this.events.emit('ask', view);
    });
  }

  /** Answers a held call; false when it is no longer held. */
  answer(id: string, answer: ApprovalAnswer): boolean {
    const pending = this.pending.get(id);
    if (!pending) return false;
    pending.settle(answer);
    return true;
  }
}
