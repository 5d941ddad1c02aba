import { deserializeMessage, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { SandboxProcess } from '../sandbox/sandbox.js';

/** Why an upstream session ended before its time, in words a user can act on. */
export type UpstreamFault =
  | { kind: 'garbage'; line: string }
  | { kind: 'oversized'; limit: number }
  | { kind: 'flood'; limit: number }
  | { kind: 'exited'; code: number | null; signal: string | null };

/** Largest single message accepted from a server; past it the session ends. */
export const maxMessageBytes = 16 * 1024 * 1024;

/** Most notifications a server may send in one second; past it the session ends. */
export const maxNotificationsPerSecond = 1000;

/**
 * Read lines waiting to be delivered: past the high mark the server's stdout is paused (it then
 * blocks on its own writes), below the low mark it is read again, so the hub's memory stays flat.
 */
const queueHighBytes = 1024 * 1024;
const queueLowBytes = 256 * 1024;

/**
 * MCP's stdio framing (one JSON-RPC message per line) over a sandboxed process's streams. It never
 * tolerates non-JSON on stdout: the first such line ends the session with a fault naming it.
 */
export class StdioStreamTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  fault: UpstreamFault | undefined;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private lines: string[] = [];
  /** The next line of `lines` to deliver (a queue without O(n) shifts). */
  private head = 0;
  private queuedBytes = 0;
  private paused = false;
  private notifications = { windowStart: 0, count: 0 };
  private delivering = false;
  private ending = false;
  private closed = false;

  constructor(private readonly proc: SandboxProcess) {}

  /** Whether the session has ended: the server went, or it was closed. */
  get isClosed(): boolean {
    return this.closed;
  }

  start(): Promise<void> {
    this.proc.stdout.on('data', (chunk: Buffer) => this.receive(chunk));
    this.proc.stdout.on('error', (error) => this.onerror?.(error));
    this.proc.stdout.once('end', () => this.closeWhenDelivered());
    void this.proc.exited.then(({ code, signal }) => {
      this.fault ??= { kind: 'exited', code, signal };
      this.closeWhenDelivered();
    });
    return Promise.resolve();
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the server has gone'));
    return new Promise((resolve) => {
      if (this.proc.stdin.write(serializeMessage(message))) resolve();
      else this.proc.stdin.once('drain', resolve);
    });
  }

  /**
   * When stdout ended before the process was seen to exit, waits (at most `ms`) for the exit, so a
   * fault can name the exit code: a container's exit is reported some time after its stdout closes.
   */
  async settle(ms: number): Promise<void> {
    if (this.fault || !this.closed) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.proc.exited, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.proc.stdout.removeAllListeners('data');
    this.onclose?.();
    return Promise.resolve();
  }

  private receive(chunk: Buffer): void {
    let rest = chunk;
    for (let newline = rest.indexOf(10); !this.closed && newline !== -1; newline = rest.indexOf(10)) {
      const line = Buffer.concat([...this.pending, rest.subarray(0, newline)]).toString('utf8').replace(/\r$/, '');
      this.pending = [];
      this.pendingBytes = 0;
      rest = rest.subarray(newline + 1);
      this.lines.push(line);
      this.queuedBytes += line.length;
    }
    if (this.queuedBytes > queueHighBytes && !this.paused) {
      this.paused = true;
      this.proc.stdout.pause();
    }
    this.drainLines();
    if (this.closed || rest.length === 0) return;
    this.pending.push(rest);
    this.pendingBytes += rest.length;
    if (this.pendingBytes > maxMessageBytes) this.fail({ kind: 'oversized', limit: maxMessageBytes });
  }

  /**
   * Delivers queued lines in order. After a notification the rest waits a turn: the SDK handles
   * notifications a microtask late, and a response that came before then would retire the request
   * (and drop its last progress notification) first. That holds for lines read later in the same
   * tick too: the Docker attach stream writes each frame of one socket read to stdout at once.
   */
  private drainLines(): void {
    if (this.delivering) return;
    for (let line = this.next(); line !== undefined && !this.closed; line = this.next()) {
      if (this.deliver(line)) {
        this.delivering = true;
        setImmediate(() => {
          this.delivering = false;
          this.drainLines();
        });
        return;
      }
    }
    if (this.ending) void this.close();
  }

  /** Takes the next queued line, and reads stdout again once the queue is low. */
  private next(): string | undefined {
    const line = this.lines[this.head];
    if (line === undefined) return undefined;
    this.head++;
    this.queuedBytes -= line.length;
    if (this.head === this.lines.length) {
      this.lines = [];
      this.head = 0;
    }
    if (this.paused && this.queuedBytes < queueLowBytes && !this.closed) {
      this.paused = false;
      this.proc.stdout.resume();
    }
    return line;
  }

  /** Closes once every line already read has been delivered. */
  private closeWhenDelivered(): void {
    this.ending = true;
    if (!this.delivering) this.drainLines();
  }

  /** Hands one line to the client; says whether it was a notification. */
  private deliver(line: string): boolean {
    if (line.trim() === '') return false;
    let message: JSONRPCMessage;
    try {
      message = deserializeMessage(line);
    } catch {
      this.fail({ kind: 'garbage', line: line.length > 200 ? `${line.slice(0, 200)}…` : line });
      return false;
    }
    const notification = 'method' in message && !('id' in message);
    if (notification && this.tooManyNotifications()) {
      this.fail({ kind: 'flood', limit: maxNotificationsPerSecond });
      return false;
    }
    this.onmessage?.(message);
    return notification;
  }

  private tooManyNotifications(): boolean {
    const now = Date.now();
    if (now - this.notifications.windowStart >= 1000) this.notifications = { windowStart: now, count: 0 };
    return ++this.notifications.count > maxNotificationsPerSecond;
  }

  private fail(fault: UpstreamFault): void {
    this.fault ??= fault;
    this.pending = [];
    this.lines = [];
    this.head = 0;
    this.queuedBytes = 0;
    void this.close();
  }
}
