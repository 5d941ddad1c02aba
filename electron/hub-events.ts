/**
 * Follows a hub's `/api/events` (Server-Sent Events) and calls `onChange` once per burst of
 * changes, reconnecting after a second when the stream ends or fails. `onStatus` hears whether the
 * hub answers. Returns the function that stops following.
 */
export function followHubEvents(
  url: string,
  token: string,
  onChange: () => void,
  onStatus: (reachable: boolean, error?: string) => void,
): () => void {
  const controller = new AbortController();
  const follow = async (): Promise<void> => {
    while (!controller.signal.aborted) {
      try {
        const response = await fetch(`${url}/api/events`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
        if (!response.ok || !response.body) throw new Error(`the hub answered ${response.status}`);
        onStatus(true);
        // The state may have changed while we were not listening.
        onChange();
        const decoder = new TextDecoder();
        for await (const chunk of response.body) {
          const text = decoder.decode(chunk as Uint8Array, { stream: true });
          if (text.includes('event: change')) onChange();
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
