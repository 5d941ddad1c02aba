import { z } from 'zod';
import {
  configKeySchema,
  nameSchema,
  type AppView,
  type CallRecordView,
  type ConfigKeysView,
  type ConfigView,
  type ApprovalRequestView,
  type ConnectView,
  type ConversationSummary,
  type ConversationView,
  type LocalModelServer,
  type ServerDetailView,
  type ToolkitToolView,
  type BuiltinToolView,
  type DoctorCheck,
  type PolicyView,
  type ToolDiffView,
  type MountView,
  type VolumeView,
  type SyncResult,
  type HubInfo,
  type InferenceEnv,
  type ModelResourceView,
  type ServerView,
} from './api.js';

const resource = nameSchema.optional();

function checkConfigKeys(vars: Record<string, string>, ctx: z.RefinementCtx): void {
  for (const key of Object.keys(vars)) {
    const checked = configKeySchema.safeParse(key);
    if (!checked.success) ctx.addIssue({ code: 'custom', message: `config var "${key}" ${checked.error.issues[0]?.message ?? 'is invalid'}` });
  }
}
const jsonObject = z.record(z.string(), z.unknown());

/**
 * Every operation the hub offers to the CLI and the UI, with the schema of its input.
 * `POST /api/<name>` runs one; a CLI without a running hub runs the same on the data dir.
 */
export const operationInputs = {
  'hub.info': z.object({}),
  'hub.doctor': z.object({}),
  'apps.list': z.object({}),
  'apps.add': z.object({
    path: z.string().min(1),
    name: nameSchema.optional(),
    attach: nameSchema.nullable().optional(),
    /** Host folders granted to every server of the app from the start (absolute host paths). */
    mounts: z.array(z.object({ host_path: z.string().min(1), container_path: z.string().min(1), read_write: z.boolean() })).default([]),
    /** Pin tool definitions (a change waits for approval); off for servers under development. */
    pin: z.boolean().default(true),
  }),
  'apps.remove': z.object({ name: z.string(), keep_data: z.boolean().default(false) }),
  'apps.build': z.object({ name: z.string() }),
  'servers.list': z.object({ resource }),
  'servers.start': z.object({ app: z.string(), process: z.string() }),
  'servers.stop': z.object({ app: z.string(), process: z.string() }),
  sync: z.object({ app: z.string().optional() }),
  call: z.object({ tool: z.string().min(1), args: jsonObject.default({}), resource }),
  'models.list': z.object({}),
  'models.create': z.object({
    name: nameSchema,
    provider: z.enum(['openai', 'anthropic']),
    model: z.string().min(1),
    base_url: z.url().optional(),
    api_key_env: configKeySchema.optional(),
    api_key: z.string().min(1).optional(),
  }),
  'models.remove': z.object({ name: z.string() }),
  attach: z.object({ app: z.string(), resource }),
  detach: z.object({ app: z.string(), resource }),
  'config.get': z.object({ app: z.string() }),
  'config.set': z.object({ app: z.string(), vars: z.record(z.string(), z.string()).superRefine(checkConfigKeys) }),
  'config.unset': z.object({ app: z.string(), keys: z.array(configKeySchema).min(1) }),
  key: z.object({ resource }),
  'volumes.list': z.object({ app: z.string().optional() }),
  'mounts.list': z.object({ app: z.string() }),
  'mounts.add': z.object({
    app: z.string(),
    /** Absolute: the CLI resolves what the user typed against the caller's folder. */
    host_path: z.string().min(1),
    container_path: z.string().min(1),
    read_write: z.boolean().default(false),
    process: z.string().optional(),
  }),
  'mounts.remove': z.object({ app: z.string(), container_path: z.string().min(1) }),
  'tools.diff': z.object({ app: z.string().optional() }),
  'tools.approve': z.object({ app: z.string(), tools: z.array(z.string().min(1)).default([]) }),
  'apps.pin': z.object({ app: z.string(), pin: z.boolean() }),
  'policy.get': z.object({ app: z.string() }),
  'policy.set': z.object({ app: z.string(), tool: z.string().min(1), policy: z.enum(['allow', 'ask', 'deny']) }),
  'policy.default': z.object({ policy: z.enum(['allow', 'ask']) }),
  'approvals.list': z.object({}),
  'approvals.answer': z.object({ id: z.string(), answer: z.enum(['allow', 'allow-for-a-while', 'deny']) }),
  'calls.list': z.object({
    limit: z.number().int().min(1).max(10_000).default(20),
    app: z.string().optional(),
    process: z.string().optional(),
    tool: z.string().optional(),
    status: z.enum(['running', 'ok', 'error']).optional(),
  }),
  'calls.get': z.object({ id: z.string().min(1) }),
  'key.rotate': z.object({ resource }),
  'models.update': z.object({
    name: z.string(),
    model: z.string().min(1).optional(),
    base_url: z.url().nullable().optional(),
    api_key_env: configKeySchema.nullable().optional(),
    api_key: z.string().min(1).nullable().optional(),
  }),
  'models.discover': z.object({}),
  'servers.detail': z.object({ app: z.string(), process: z.string() }),
  'toolkit.tools': z.object({ resource }),
  'toolkit.builtins': z.object({}),
  'config.keys': z.object({ app: z.string() }),
  'config.reveal': z.object({ app: z.string(), key: z.string() }),
  connect: z.object({ client: z.enum(['cursor', 'claude', 'vscode']), resource, project: z.string().min(1).optional() }),
  'conversations.list': z.object({}),
  'conversations.get': z.object({ id: z.string() }),
  'conversations.save': z.object({
    id: z.string().optional(),
    title: z.string().max(200).optional(),
    resource: nameSchema,
    tools: z.array(z.string()).max(2000).default([]),
    entries: z.array(z.unknown()).max(5000),
  }),
  'conversations.rename': z.object({ id: z.string(), title: z.string().trim().min(1).max(200) }),
  'conversations.remove': z.object({ id: z.string() }),
} as const;

export type OperationName = keyof typeof operationInputs;
export type OperationInput<N extends OperationName> = z.input<(typeof operationInputs)[N]>;
export type ParsedInput<N extends OperationName> = z.output<(typeof operationInputs)[N]>;

export interface CallOutcome {
  result: CallToolResultShape;
  call: CallRecordView;
}

/** The MCP `CallToolResult`, loosely: the hub passes through whatever the server returned. */
export interface CallToolResultShape {
  content: unknown[];
  isError?: boolean;
  structuredContent?: unknown;
  [key: string]: unknown;
}

export interface OperationOutputs {
  'hub.info': HubInfo;
  'hub.doctor': DoctorCheck[];
  'apps.list': AppView[];
  'apps.add': AppView;
  'apps.remove': { removed: string };
  'apps.build': AppView;
  'servers.list': ServerView[];
  'servers.start': ServerView;
  'servers.stop': ServerView;
  sync: SyncResult;
  call: CallOutcome;
  'models.list': ModelResourceView[];
  'models.create': ModelResourceView;
  'models.remove': { removed: string };
  attach: { app: string; resource: string };
  detach: { app: string; resource: string };
  'config.get': ConfigView;
  'config.set': ConfigView;
  'config.unset': ConfigView;
  key: InferenceEnv;
  'calls.list': CallRecordView[];
  'volumes.list': VolumeView[];
  'mounts.list': MountView[];
  'mounts.add': MountView;
  'mounts.remove': { app: string; removed: string };
  'tools.diff': ToolDiffView[];
  'tools.approve': { app: string; approved: ToolDiffView[] };
  'apps.pin': { app: string; pin: boolean };
  'policy.get': PolicyView;
  'policy.set': PolicyView;
  'policy.default': { policy: 'allow' | 'ask' };
  'approvals.list': ApprovalRequestView[];
  'approvals.answer': { id: string; answered: boolean };
  'calls.get': CallRecordView;
  'key.rotate': InferenceEnv;
  'models.update': ModelResourceView;
  'models.discover': LocalModelServer[];
  'servers.detail': ServerDetailView;
  'toolkit.tools': ToolkitToolView[];
  'toolkit.builtins': BuiltinToolView[];
  'config.keys': ConfigKeysView;
  'config.reveal': { app: string; key: string; value: string };
  connect: ConnectView;
  'conversations.list': ConversationSummary[];
  'conversations.get': ConversationView;
  'conversations.save': ConversationView;
  'conversations.rename': ConversationSummary;
  'conversations.remove': { removed: string };
}

/** Anything that runs operations: the hub itself, or a client of a running hub. */
export interface Operations {
  run<N extends OperationName>(name: N, input: OperationInput<N>): Promise<OperationOutputs[N]>;
}
