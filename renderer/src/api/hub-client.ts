import type { ErrorBody } from '../../../src/shared/errors';
import type { OperationInput, OperationName, OperationOutputs } from '../../../src/shared/operations';

interface DesktopBridge {
  hubUrl: string;
  token: string;
}

declare global {
  interface Window {
    procdock?: DesktopBridge;
  }
}

/** An error the hub answered with: its code and its one-line message. */
export class HubError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const tokenKey = 'procdock.token';

/**
 * Where the hub is and how to prove we are its UI: from the desktop shell, or from the link that
 * `procdock serve` prints (`#token=…`) or that `procdock ui` opens (`#code=…`, a one-time code the
 * hub trades for the token, so the token never sits on a command line).
 */
function initialConnection(): DesktopBridge {
  if (window.procdock) return window.procdock;
  return { hubUrl: window.location.origin, token: sessionStorage.getItem(tokenKey) ?? '' };
}

/** The renderer's one way to the hub: typed operations over `POST /api/<name>`, and change events. */
export class HubClient {
  private readonly conn = initialConnection();
  private readonly connectListeners = new Set<() => void>();
  /** Why the last link could not be used, e.g. an expired one-time code. */
  linkError: string | undefined;

  constructor() {
    if (window.procdock) return;
    void this.readLink();
    window.addEventListener('hashchange', () => void this.readLink());
  }

  get hubUrl(): string {
    return this.conn.hubUrl;
  }

  get hasToken(): boolean {
    return this.conn.token !== '';
  }

  /** Calls `listener` when a token arrives (a link pasted into this tab later); returns the unsubscribe. */
  onDidConnect(listener: () => void): () => void {
    this.connectListeners.add(listener);
    return () => this.connectListeners.delete(listener);
  }

  /** Takes the token, or trades the one-time code, from the URL's fragment, then clears the fragment. */
  private async readLink(): Promise<void> {
    const fragment = new URLSearchParams(window.location.hash.slice(1));
    const token = fragment.get('token');
    const code = fragment.get('code');
    if (!token && !code) return;
    history.replaceState(null, '', window.location.pathname);
    if (token) return this.connect(token);
    const response = await fetch(`${this.conn.hubUrl}/auth/ui-code`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code }),
    }).catch(() => undefined);
    const body = (await response?.json().catch(() => undefined)) as { token?: string; error?: { message?: string } } | undefined;
    if (body?.token) return this.connect(body.token);
    this.linkError = body?.error?.message ?? 'the hub did not answer';
    this.connectListeners.forEach((listener) => listener());
  }

  private connect(token: string): void {
    sessionStorage.setItem(tokenKey, token);
    this.conn.token = token;
    this.linkError = undefined;
    this.connectListeners.forEach((listener) => listener());
  }

  async run<N extends OperationName>(name: N, input: OperationInput<N>): Promise<OperationOutputs[N]> {
    const response = await fetch(`${this.conn.hubUrl}/api/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.conn.token}` },
      body: JSON.stringify(input),
    });
    const body = (await response.json().catch(() => undefined)) as unknown;
    if (!response.ok) {
      const error = (body as ErrorBody | undefined)?.error;
      throw new HubError(error?.code ?? 'unavailable', error?.message ?? `the hub answered ${response.status}`);
    }
    return body as OperationOutputs[N];
  }

  /**
   * Posts to a streaming endpoint of the hub and hands each SSE frame to `onFrame` until the
   * stream ends or `signal` aborts it.
   */
  async stream(path: string, body: unknown, onFrame: (event: string, data: string) => void, signal?: AbortSignal): Promise<void> {
    const response = await fetch(`${this.conn.hubUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.conn.token}` },
      body: JSON.stringify(body),
      ...(signal ? { signal } : {}),
    });
    if (!response.ok || !response.body) {
      const error = ((await response.json().catch(() => undefined)) as ErrorBody | { error?: { message?: string } } | undefined)?.error;
      throw new HubError('failed', error?.message ?? `the hub answered ${response.status}`);
    }
    await readFrames(response.body, (frames) => frames.forEach(({ event, data }) => onFrame(event, data)));
  }

  /**
   * Calls `listener` on every change of hub state, and `onProgress` with each line of long work (an
   * image build), until the returned function is called.
   */
  onDidChange(listener: () => void, onProgress?: (event: { app: string; line: string }) => void): () => void {
    const controller = new AbortController();
    const follow = async (): Promise<void> => {
      while (!controller.signal.aborted) {
        try {
          const response = await fetch(`${this.conn.hubUrl}/api/events`, {
            headers: { authorization: `Bearer ${this.conn.token}` },
            signal: controller.signal,
          });
          if (!response.body) throw new Error('no event stream');
          await readFrames(response.body, (frames) => {
            for (const { event, data } of frames) {
              if (event === 'progress') onProgress?.(JSON.parse(data) as { app: string; line: string });
            }
            // A burst of changes read at once needs one refresh.
            if (frames.some((f) => f.event === 'change')) listener();
          });
        } catch {
          // The hub restarted or the network hiccupped: retry shortly.
        }
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    };
    void follow();
    return () => controller.abort();
  }
}

/** Reads Server-Sent Events, handing over the frames of each chunk together. */
async function readFrames(body: ReadableStream<Uint8Array>, onFrames: (frames: { event: string; data: string }[]) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    const frames: { event: string; data: string }[] = [];
    for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (block.startsWith(':')) continue;
      frames.push({ event: /^event: ?(.*)$/m.exec(block)?.[1] ?? 'message', data: /^data: ?(.*)$/m.exec(block)?.[1] ?? '' });
    }
    if (frames.length) onFrames(frames);
  }
}

export const hub = new HubClient();
