import type { Readable, Writable } from 'node:stream';

/** What to start: one MCP server process of an app, for one sync or one call. */
export interface ServerLaunch {
  appName: string;
  appPath: string;
  processType: string;
  command: string;
  /** The app's config vars: the server's whole environment beyond the sandbox's own few. */
  env: Record<string, string>;
  /** Set for a tool call; labels the container and names the record. */
  callId?: string;
}

export interface ExitInfo {
  code: number | null;
  signal: string | null;
}

/** A started server. Its owner calls `dispose()`, which ends it and frees what it holds. */
export interface SandboxProcess {
  /** Container id, or `pid:<n>` for the process sandbox. */
  readonly id: string;
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Settles when the server has exited, however that happened. */
  readonly exited: Promise<ExitInfo>;
  dispose(): Promise<ExitInfo>;
}

export interface SandboxStatus {
  ready: boolean;
  /** Why calls cannot run, when not ready. */
  reason?: string;
}

/** The seam between the hub and whatever isolates a server: Docker containers, or plain processes. */
export interface Sandbox {
  readonly kind: 'docker' | 'process';
  /** False for the process sandbox: the UI and CLI show such calls as unsandboxed. */
  readonly sandboxed: boolean;
  status(): Promise<SandboxStatus>;
  launch(spec: ServerLaunch, signal?: AbortSignal): Promise<SandboxProcess>;
  dispose(): Promise<void>;
}
