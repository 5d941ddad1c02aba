import { tmpdir } from 'node:os';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { defaultServerSettings, type ServerSettings } from '../apps/server-settings.js';
import type { AppRow } from '../catalog/apps-repository.js';
import type { ModelResourceRow } from '../catalog/models-repository.js';
import type { Hub } from '../hub/hub.js';
import type { CommandOutput, OneOffRequest } from '../hub/one-off-runner.js';
import type { Language } from '../sandbox/build-context.js';
import type { Sandbox, ServerLaunch } from '../sandbox/sandbox.js';
import { AppError, isAppError } from '../shared/errors.js';
import { requestLimits } from './agent-request.js';
import { codeArguments, codeExecCommand, codeExecTools, codeLanguage } from './code-exec.js';
import {
  docReaderApp,
  docReaderImage,
  docReaderTools,
  documentRequest,
  documentResult,
  type DocumentKind,
} from './doc-reader.js';

export interface RuntimeParams {
  target_app_name?: string | undefined;
  ttl_seconds?: number | undefined;
  max_calls?: number | undefined;
  tool_params?: Record<string, unknown> | undefined;
}

/** Heroku's built-in tools, as the model sees them. */
export const herokuTools: Record<string, Omit<Tool, 'name'>> = {
  ...codeExecTools,
  ...docReaderTools,
  dyno_run_command: {
    description: 'Runs a preset command of the target app in a throwaway container and returns its output.',
    inputSchema: { type: 'object', properties: {} },
  },
};

/**
 * Where built-in tools may reach: `PROCDOCK_BUILTIN_NETWORK=bridge` lets code_exec install packages
 * and the doc reader fetch URLs; unset (`none`) they have no network, like every call.
 */
export function builtinNetwork(env: NodeJS.ProcessEnv = process.env): ServerSettings['network'] {
  return env.PROCDOCK_BUILTIN_NETWORK === 'bridge' ? 'bridge' : 'none';
}

const networkOff =
  'needs network for built-in tools, which is off: start the hub with PROCDOCK_BUILTIN_NETWORK=bridge to allow it';

/**
 * Checks that a built-in tool can run for this resource, before the run starts: its target app
 * attached and started, its image there (or built, for the doc reader). Throws `AppError` saying
 * why the tool is not offered.
 */
export async function prepareHerokuTool(
  hub: Hub,
  resource: ModelResourceRow,
  name: string,
  params: RuntimeParams,
): Promise<void> {
  if (!(name in herokuTools)) {
    throw new AppError(
      'invalid_input',
      `unknown heroku_tool "${name}": Procdock offers ${Object.keys(herokuTools).join(', ')}`,
    );
  }
  if (name === 'dyno_run_command' && !params.target_app_name) {
    throw new AppError('invalid_input', 'dyno_run_command needs runtime_params.target_app_name');
  }
  if (params.target_app_name) targetApp(hub, resource, params.target_app_name);
  const language = codeLanguage(name);
  if (language) await languageImage(hub, name, language);
  if (name in docReaderTools) await documentImage(hub);
}

/**
 * Why a built-in tool cannot run on this hub now, for the lists that show it: its base image is
 * missing, or it needs Docker. The target app of dyno_run_command is asked for when it runs.
 */
export async function whyUnavailable(hub: Hub, name: string): Promise<string | undefined> {
  const language = codeLanguage(name);
  try {
    if (language) await languageImage(hub, name, language);
    if (name in docReaderTools && !hub.sandbox.sandboxed) await documentImage(hub);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Runs one built-in tool in a throwaway sandbox, through the hub's limiter and into its call log.
 * Its failures are results with `isError`, like an MCP tool's.
 */
export async function runHerokuTool(
  hub: Hub,
  resource: ModelResourceRow,
  name: string,
  args: Record<string, unknown>,
  params: RuntimeParams,
  signal: AbortSignal,
): Promise<CallToolResult> {
  try {
    const request = await oneOff(hub, resource, name, args, params);
    const { result } = await hub.oneOffs.run({ ...request, signal });
    return result;
  } catch (error) {
    if (isAppError(error)) return { isError: true, content: [{ type: 'text', text: error.message }] };
    throw error;
  }
}

type Planned = Omit<OneOffRequest, 'signal'>;

/** The one-off command a call stands for; the checks of `prepareHerokuTool` again, as things may have changed. */
async function oneOff(
  hub: Hub,
  resource: ModelResourceRow,
  name: string,
  args: Record<string, unknown>,
  params: RuntimeParams,
): Promise<Planned> {
  await prepareHerokuTool(hub, resource, name, params);
  const ttlSeconds = Math.min(
    params.ttl_seconds ?? requestLimits.herokuToolTtlSeconds,
    requestLimits.herokuToolTtlSeconds,
  );
  const base = { tool: name, resourceName: resource.name, args, ttlMs: ttlSeconds * 1000 };
  const settings = { ...defaultServerSettings, ttl_seconds: ttlSeconds };
  const language = codeLanguage(name);
  if (name === 'dyno_run_command') {
    const app = targetApp(hub, resource, params.target_app_name ?? '');
    const cmd = params.tool_params?.cmd;
    if (typeof cmd !== 'string' || !cmd.trim())
      throw new AppError('invalid_input', 'dyno_run_command needs runtime_params.tool_params.cmd');
    const launch = launchOf(
      { name: app.name, path: app.path },
      app.image,
      cmd,
      hub.catalog.config.get(app.id),
      settings,
    );
    return { ...base, appName: app.name, processType: 'run', launch, toResult: codeResult };
  }
  if (language) {
    const { code, packages } = codeArguments(name, args);
    if (packages.length > 0 && builtinNetwork() === 'none')
      throw new AppError('invalid_input', `${name}: installing packages ${networkOff}`);
    const image = await languageImage(hub, name, language);
    const launch = launchOf(
      scratchApp,
      image,
      codeExecCommand(language, packages),
      { PROCDOCK_CODE: code },
      {
        ...settings,
        network: packages.length > 0 ? 'bridge' : 'none',
      },
    );
    launch.scratch = { exec: true, size_mb: 256 };
    return { ...base, appName: 'heroku.tools', processType: 'heroku_tool', launch, toResult: codeResult };
  }
  const kind: DocumentKind = name === 'pdf_to_markdown' ? 'pdf' : 'html';
  const { url, stdin } = documentRequest(name, kind, args);
  if (url && builtinNetwork() === 'none')
    throw new AppError('invalid_input', `${name}: fetching ${url} ${networkOff}, or pass the document inline`);
  const launch = launchOf(
    docReaderApp,
    await documentImage(hub),
    'exec node /app/convert.mjs',
    {},
    { ...settings, network: url ? 'bridge' : 'none' },
  );
  return {
    ...base,
    appName: 'heroku.tools',
    processType: 'heroku_tool',
    launch,
    stdin,
    toResult: (output) => documentResult(name, output),
  };
}

/**
 * The app a built-in tool targets. A key reaches only the apps attached to its resource, and only
 * while they are started; the message is the same whether or not another resource has such an app.
 */
function targetApp(hub: Hub, resource: ModelResourceRow, appName: string): AppRow {
  const app = hub.catalog.apps.findByName(appName);
  if (!app || !hub.catalog.models.resourceNamesOf(app.id).includes(resource.name)) {
    throw new AppError(
      'forbidden',
      `app "${appName}" is not attached to resource "${resource.name}": run procdock attach ${appName} --resource ${resource.name}`,
    );
  }
  const servers = hub.catalog.servers.listByApp(app.id);
  if (servers.length > 0 && servers.every((s) => s.server_status !== 'registered')) {
    throw new AppError(
      'unavailable',
      `app "${app.name}" is stopped: start one of its servers first (procdock servers:start ${app.name} ${servers[0]?.process_type})`,
    );
  }
  if (!app.image && hub.sandbox.sandboxed)
    throw new AppError('unavailable', `app "${app.name}" has no image yet: run procdock apps:build ${app.name}`);
  return app;
}

/** Base images seen on the engine, per sandbox: looked up until found, not at every call. */
const presentImages = new WeakMap<Sandbox, Map<string, string>>();

/** The base image a code_exec tool runs in; a missing one means the tool is not offered, and why. */
async function languageImage(hub: Hub, tool: string, language: Language): Promise<string | null> {
  if (!hub.sandbox.sandboxed) return null;
  const present = presentImages.get(hub.sandbox) ?? new Map<string, string>();
  presentImages.set(hub.sandbox, present);
  const known = present.get(language);
  if (known) return known;
  const states = await hub.sandbox.baseImages();
  for (const state of states) if (state.state === 'present') present.set(state.language, state.image);
  const state = states.find((s) => s.language === language);
  if (!state || state.state === 'present') return state?.image ?? null;
  const variable = `PROCDOCK_BASE_IMAGE_${language.toUpperCase()}`;
  const fix = state.state === 'pullable' ? `docker pull ${state.image}, or set ${variable} to another` : `set ${variable} to an image you have`;
  throw new AppError('invalid_input', `${tool} is not offered: its base image ${state.image} is not on the Docker engine (${fix})`);
}

async function documentImage(hub: Hub): Promise<string | null> {
  if (!hub.sandbox.sandboxed)
    throw new AppError('invalid_input', 'the document reader is not offered in the process sandbox: it needs Docker');
  return docReaderImage(hub.sandbox);
}

/** Built-ins that run code need no app: under the process sandbox they run from the system's temp folder. */
const scratchApp = { name: 'heroku.tools', path: tmpdir() };

function launchOf(
  app: ServerLaunch['app'],
  image: string | null,
  command: string,
  env: Record<string, string>,
  settings: ServerSettings,
): ServerLaunch {
  return { app, image, processType: 'run', command, env, settings, purpose: 'call' };
}

/** Heroku's shape: `{returncode, stdout, stderr}` as indented JSON text, and as structured content. */
function codeResult(output: CommandOutput): CallToolResult {
  return {
    content: [{ type: 'text', text: JSON.stringify(output, null, 2) }],
    structuredContent: { result: { ...output } },
    isError: false,
  };
}
