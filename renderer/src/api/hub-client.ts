import type { ApprovalRequestView } from '../../../src/shared/api';
import type { ErrorBody } from '../../../src/shared/errors';
import { EventFrameReader, type EventFrame } from '../../../src/shared/event-frames';
import type { OperationInput, OperationName, OperationOutputs } from '../../../src/shared/operations';

interface DesktopBridge {
  hubUrl: string;
  token: string;
  /** The desktop shell's folder picker (Electron's dialog); absent in a browser. */
  chooseFolder?: () => Promise<string | undefined>;
}

/** What a window following the hub hears, besides each change of state. */
export interface HubFollower {
  onChange(): void;
  /** Each line of long work (an image build). */
  onProgress?(event: { app: string; line: string }): void;
  /**
   * Each call held for the user's answer. Following them makes this window one the hub can ask:
   * only a window that shows them passes this (the CLI's follower never does).
   */
  onApproval?(request: ApprovalRequestView): void;
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

  /** The desktop shell's folder picker, when this page runs in it. */
  get chooseFolder(): (() => Promise<string | undefined>) | undefined {
    return this.conn.chooseFolder;
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
   * Follows the hub's `/api/events` until the returned function is called, reconnecting when the
   * stream breaks; after a reconnection `onChange` runs once, as changes may have been missed.
   */
  follow(follower: HubFollower): () => void {
    const controller = new AbortController();
    const path = follower.onApproval ? '/api/events?approvals=1' : '/api/events';
    const follow = async (): Promise<void> => {
      for (let attempt = 0; !controller.signal.aborted; attempt++) {
        try {
          const response = await fetch(`${this.conn.hubUrl}${path}`, {
            headers: { authorization: `Bearer ${this.conn.token}` },
            signal: controller.signal,
          });
          if (!response.ok || !response.body) throw new Error('no event stream');
          if (attempt > 0) follower.onChange();
          await readFrames(response.body, (frames) => {
            for (const { event, data } of frames) {
              if (event === 'progress') follower.onProgress?.(JSON.parse(data) as { app: string; line: string });
              if (event === 'approval') follower.onApproval?.(JSON.parse(data) as ApprovalRequestView);
            }
            // A burst of changes read at once needs one refresh.
            if (frames.some((f) => f.event === 'change')) follower.onChange();
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
async function readFrames(body: ReadableStream<Uint8Array>, onFrames: (frames: EventFrame[]) => void): Promise<void> {
  const reader = body.getReader();
  const frames = new EventFrameReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    const read = frames.read(value);
    if (read.length) onFrames(read);
  }
}

export const hub = new HubClient();
