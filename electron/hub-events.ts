import type { ApprovalRequestView } from '../src/shared/api.js';
import { EventFrameReader } from '../src/shared/event-frames.js';

/**
 * Follows a hub's `/api/events` (Server-Sent Events) and calls `onChange` once per burst of
 * changes, reconnecting after a second when the stream ends or fails. `onStatus` hears whether the
 * hub answers. With `onApproval`, the shell follows calls held for the user's answer too, which
 * makes it someone the hub can ask while it runs (window open or not). Returns the function that
 * stops following.
 */
export function followHubEvents(
  url: string,
  token: string,
  onChange: () => void,
  onStatus: (reachable: boolean, error?: string) => void,
  onApproval?: (request: ApprovalRequestView) => void,
): () => void {
  const controller = new AbortController();
  const path = onApproval ? '/api/events?approvals=1' : '/api/events';
  const follow = async (): Promise<void> => {
    while (!controller.signal.aborted) {
      try {
        const response = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
        if (!response.ok || !response.body) throw new Error(`the hub answered ${response.status}`);
        onStatus(true);
        // The state may have changed while we were not listening.
        onChange();
        const events = new EventFrameReader();
        for await (const chunk of response.body) {
          const frames = events.read(chunk as Uint8Array);
          for (const frame of frames) if (frame.event === 'approval') onApproval?.(JSON.parse(frame.data) as ApprovalRequestView);
          if (frames.some((frame) => frame.event === 'change')) onChange();
        }
      } catch (error) {
        if (controller.signal.aborted) return;
        // fetch says "fetch failed"; the cause says why (ECONNREFUSED).
        onStatus(false, (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message);
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  };
  void follow();
  return () => controller.abort();
}

