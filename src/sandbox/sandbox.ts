import type { Readable, Writable } from 'node:stream';
import type { ServerSettings } from '../apps/server-settings.js';
import type { SandboxStatusView, VolumeView } from '../shared/api.js';

/** The app a sandbox prepares and runs servers of. */
export interface AppRef {
  name: string;
  path: string;
  /** Its MCP servers' Procfile commands: a node app's build starts each once for Node's compile cache. */
  commands?: string[];
}

/** What to start: one MCP server process of an app, for one sync, one call or the warm pool. */
export interface ServerLaunch {
  app: AppRef;
  /** The app's image, from `prepare()`; the process sandbox needs none. */
  image: string | null;
  processType: string;
  command: string;
  /** The app's config vars: the server's whole environment beyond the sandbox's own few. */
  env: Record<string, string>;
  settings: ServerSettings;
  /** Host folders the user granted this server (none for built-in tools). */
  mounts?: HostMount[];
  purpose: 'sync' | 'call' | 'pool' | 'session';
  /** Set for a tool call; labels the container. */
  callId?: string;
  /** For built-in tools: a larger `/tmp` whose files may run (a Go build, a package's native module). */
  scratch?: { exec: boolean; size_mb: number };
}

/** A host folder mounted into a server's containers: read-only unless `read_write`. */
export interface HostMount {
  host_path: string;
  container_path: string;
  read_write: boolean;
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

/** Whether calls can run, and on what engine (the view hub.info shows). */
export type SandboxStatus = SandboxStatusView;

/** The result of preparing an app: the image its servers run from (none for plain processes). */
export interface PreparedApp {
  image: string | null;
  hash: string | null;
  /** False when an image for these exact files already existed. */
  built: boolean;
}

/** A base image generated builds start from, and whether the engine has it or could pull it. */
export interface BaseImageState {
  language: string;
  image: string;
  state: 'present' | 'pullable' | 'missing';
  /** Why it cannot be pulled, when missing. */
  reason?: string;
}

/** The seam between the hub and whatever isolates a server: Docker containers, or plain processes. */
export interface Sandbox {
  readonly kind: 'docker' | 'process';
  /** False for the process sandbox: the UI and CLI show such calls as unsandboxed. */
  readonly sandboxed: boolean;
  /** Sweeps what an earlier hub left behind and starts sweeping while running. */
  start(): Promise<void>;
  status(): Promise<SandboxStatus>;
  /** The base images of generated builds; none for plain processes. */
  baseImages(): Promise<BaseImageState[]>;
  /** Builds (or finds) what the app's servers run from; streams progress lines. */
  prepare(app: AppRef, onProgress?: (line: string) => void): Promise<PreparedApp>;
  launch(spec: ServerLaunch, signal?: AbortSignal): Promise<SandboxProcess>;
  /** Removes everything the sandbox holds for an app: its containers and images. */
  forget(app: AppRef, options?: { keepData?: boolean }): Promise<void>;
  /** Why host folders cannot be granted with this sandbox (a remote engine), or undefined when they can. */
  hostFoldersRefused(): string | undefined;
  /** The app volumes on the engine, of one app or all, with their sizes. */
  volumes(appName?: string): Promise<VolumeView[]>;
  dispose(): Promise<void>;
}
