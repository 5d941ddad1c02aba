import { z } from 'zod';

/** Names users type: apps, resources. Lowercase, digits and dashes, like Heroku app names. */
export const nameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, 'must start with a letter and hold only a-z, 0-9 and -, at most 40 characters');

export const configKeySchema = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a shell variable name (letters, digits, _)');

export type ServerStatus = 'registered' | 'disconnected';
export type PrimitivesStatus = 'syncing' | 'synced' | 'error';

/** A tool as `GET /v1/mcp/servers` shows it (Heroku's Tool Object). */
export interface ToolView {
  name: string;
  namespaced_name: string;
  description?: string;
  input_schema: Record<string, unknown>;
  output_schema?: Record<string, unknown>;
  annotations: Record<string, unknown>;
  /**
   * Against what the user approved: `pinned`, `changed` or `new` (both hidden from the toolkit,
   * the agent loop and `procdock call` until `tools:approve`), or `unpinned` (its app does not pin).
   */
  pin?: 'pinned' | 'changed' | 'new' | 'unpinned';
}

/** A server as `GET /v1/mcp/servers` shows it (Heroku's MCP Server Object, plus `app_name`). */
export interface ServerView {
  id: string;
  app_id: string;
  app_name: string;
  process_type: string;
  process_command: string;
  created_at: string;
  updated_at: string;
  namespace: string;
  server_status: ServerStatus;
  primitives_status: PrimitivesStatus;
  primitives_error?: string;
  tools: ToolView[];
  /** `call`: a fresh container per call; `session`: one per client session, so it keeps state. */
  lifetime: 'call' | 'session';
  /** The app volumes it keeps across calls (container paths). */
  volumes: string[];
  /** The host folders the user granted it. */
  mounts: MountView[];
  /** Tools and prompts its last sync refused to expose, each with why. */
  refused?: RefusedName[];
  /** What its app's procdock.json loosens against the sandbox's defaults, in words. */
  loosened?: string[];
}

/** A tool or prompt a sync would not expose. */
export interface RefusedName {
  kind: 'tool' | 'prompt';
  name: string;
  reason: string;
}

/** A host folder granted to an app's servers, e.g. "reads ~/notes at /notes". */
export interface MountView {
  app: string;
  /** The one server it is granted to; every server of the app when absent. */
  process_type?: string;
  host_path: string;
  container_path: string;
  read_write: boolean;
  description: string;
}

/** A named volume an app declared, on the engine. */
export interface VolumeView {
  name: string;
  app: string;
  process_type: string;
  container_path: string;
  /** Bytes used, when the engine could tell. */
  size?: number;
}

export interface SkippedProcess {
  name: string;
  command: string;
  line: number;
}

export interface AppView {
  id: string;
  name: string;
  path: string;
  servers: { process_type: string; process_command: string; primitives_status: PrimitivesStatus; primitives_error?: string; tools: number; loosened?: string[] }[];
  skipped: SkippedProcess[];
  resources: string[];
  build_status: 'none' | 'building' | 'built' | 'error';
  build_error?: string;
  image?: string;
  /** What re-reading its Procfile and procdock.json changed (apps:build). */
  changes?: AppChange[];
  created_at: string;
  updated_at: string;
}

/** One change found by re-reading an app's Procfile and procdock.json, or why it was refused. */
export interface AppChange {
  app: string;
  process?: string;
  what: string;
  refused?: boolean;
}

/** What `sync` did: the changes it applied and every server it re-read. */
export interface SyncResult {
  changes: AppChange[];
  servers: ServerView[];
}

/** One check of `procdock doctor`, and of the UI's empty Servers page. */
export interface DoctorCheck {
  id: 'node' | 'engine' | 'base-images' | 'build-network' | 'data-dir' | 'port' | 'electron' | 'chromium';
  label: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  /** What to do about it, when it is not ok. */
  fix?: string;
}

export type ProviderKind = 'openai' | 'anthropic';

export interface ModelResourceView {
  id: string;
  name: string;
  provider: ProviderKind;
  model_id: string;
  base_url?: string;
  api_key_env?: string;
  has_api_key: boolean;
  /** Whether the provider has a key to send: a local model server needs none. */
  key_status: KeyStatus;
  apps: string[];
  created_at: string;
}

export interface InferenceEnv {
  INFERENCE_URL: string;
  INFERENCE_KEY: string;
  INFERENCE_MODEL_ID: string;
}

export interface CallTimings {
  queued_ms: number;
  start_ms: number;
  init_ms: number;
  run_ms: number;
  total_ms: number;
}

export interface CallRecordView {
  id: string;
  tool: string;
  app_name: string;
  process_type: string;
  resource: string | null;
  arguments: unknown;
  result: unknown;
  error: string | null;
  is_error: boolean;
  status: 'running' | 'ok' | 'error';
  sandbox: string;
  /** Served by a container started and initialized ahead of time. */
  warm: boolean;
  container_id: string | null;
  exit_code: number | null;
  timings: CallTimings | null;
  started_at: string;
  finished_at: string | null;
  /**
   * The approval policy's decision: "allowed by default", "allowed: read-only", "allowed by
   * policy", "approved by the client", "declined by a Procdock window", "denied by policy",
   * "timed out waiting for approval", "refused: nobody could be asked", "definition approved"…
   */
  decision?: string;
}

export interface ConfigView {
  app: string;
  vars: Record<string, string>;
}

export interface HubInfo {
  version: string;
  url: string;
  inference_url: string;
  toolkit_url: string;
  ui_url: string;
  sandbox: { kind: string; sandboxed: boolean } & SandboxStatusView;
}

/** Whether calls can run, and on what engine. */
export interface SandboxStatusView {
  ready: boolean;
  /** Why calls cannot run, when not ready. */
  reason?: string;
  /** "Podman 4.3.1 (API 1.41, linux/amd64) at unix:///run/podman/podman.sock": name, version and where. */
  engine?: string;
  /** "Docker Engine", "Podman", or what the engine calls itself. */
  engine_name?: string;
  engine_version?: string;
  /** `unix:///…`, `tcp://host:2376`, `ssh://user@host`. */
  engine_host?: string;
  /** The engine is on another machine: host folders cannot be granted. */
  remote?: boolean;
}

/** A call held until the user allows or denies it (policy `ask`), as a Procdock window shows it. */
export interface ApprovalRequestView {
  id: string;
  app: string;
  process_type: string;
  tool: string;
  arguments: Record<string, unknown>;
  /** Who is asking, e.g. "the toolkit (Cursor)", "the agent loop". */
  caller: string;
  asked_at: string;
  /** After this, the call is refused. */
  expires_at: string;
}

/** A tool whose definition waits for approval, with what changed. */
export interface ToolDiffView {
  app: string;
  process_type: string;
  tool: string;
  state: 'changed' | 'new';
  summary: string[];
  diff: string;
}

export type PolicyValue = 'allow' | 'ask' | 'deny';

/** An app's tools and the approval policy each runs under. */
export interface PolicyView {
  app: string;
  /** The hub-wide policy for tools not annotated read-only and without one of their own. */
  default: 'allow' | 'ask';
  tools: { tool: string; policy: PolicyValue; why: 'its policy' | 'read-only' | 'the default' }[];
}

/** Where a resource's provider key comes from: sealed in the catalog, the hub's environment, or nowhere. */
export type KeyStatus = 'stored' | 'env' | 'missing' | 'not_needed';

/** A model server found running on this machine (Ollama, LM Studio), for onboarding. */
export interface LocalModelServer {
  preset: 'ollama' | 'lmstudio';
  label: string;
  base_url: string;
  models: string[];
}

/** A server with everything the Servers page shows about it. */
export interface ServerDetailView extends ServerView {
  /** Each tool and, per resource where it differs from its own name, the name that toolkit exposes. */
  exposed: Record<string, Record<string, string>>;
  /** The sandbox settings each call container gets, by procdock.json's key (network, memory_mb, …). */
  settings: Record<string, unknown>;
  /** The settings the app's procdock.json changes from the defaults: `{key: [default, value]}`. */
  changed_settings: Record<string, [unknown, unknown]>;
  resources: { uri: string; name?: string; description?: string; mimeType?: string }[];
  templates: { uriTemplate: string; name?: string; description?: string }[];
  prompts: { name: string; description?: string; arguments?: { name: string; description?: string; required?: boolean }[] }[];
  server_info: { name?: string; version?: string; instructions?: string } | null;
  synced_at: string | null;
  config_keys: string[];
  resources_attached: string[];
  image: string | null;
  build_status: 'none' | 'building' | 'built' | 'error';
  build_error: string | null;
  sandbox: { kind: string; sandboxed: boolean };
}

/** A tool as one resource's toolkit exposes it, with the server it comes from. */
export interface ToolkitToolView {
  /** The name the toolkit exposes: the tool's own, or `<namespace>__<name>` on a clash. */
  name: string;
  original: string;
  namespace: string;
  app_name: string;
  description?: string;
  annotations: Record<string, unknown>;
}

/** A built-in tool (`heroku_tool`) the agent loop offers beside the toolkit's. */
export interface BuiltinToolView {
  name: string;
  description: string;
  /** dyno_run_command runs a command of an app: it needs `target_app_name` and `tool_params.cmd`. */
  needs_app: boolean;
  /** Why it cannot run on this hub now (its base image missing, no Docker): listed, not offered. */
  unavailable?: string;
}

export interface ConfigKeysView {
  app: string;
  keys: string[];
}

/** One conversation of the desktop chat, kept in the catalog. */
export interface ConversationSummary {
  id: string;
  title: string;
  resource: string;
  created_at: string;
  updated_at: string;
}

export interface ConversationView extends ConversationSummary {
  /** The transcript as the chat shows it (text and tool cards), opaque to the hub. */
  entries: unknown[];
  /** The tools picked for it. */
  tools: string[];
}

/** What `connect` wrote into a client's MCP config. */
export interface ConnectView {
  file: string;
  backup: string | null;
  entry: string;
  replaced: boolean;
  url: string;
}
