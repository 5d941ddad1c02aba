import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { defaultServerSettings } from '../apps/server-settings.js';
import type { Hub } from '../hub/hub.js';
import { baseImagesFromEnv } from '../sandbox/image-builder.js';
import type { ServerLaunch } from '../sandbox/sandbox.js';
import { AppError } from '../shared/errors.js';

export interface RuntimeParams {
  target_app_name?: string | undefined;
  ttl_seconds?: number | undefined;
  max_calls?: number | undefined;
  tool_params?: Record<string, unknown> | undefined;
}

const codeSchema = (language: string, installer: string): Tool['inputSchema'] => ({
  type: 'object',
  required: ['code'],
  properties: {
    code: { type: 'string', description: `The ${language} code to execute as a string.` },
    packages: { type: 'array', items: { type: 'string' }, description: `Optional list of ${installer} package names to install before execution.` },
  },
});

/** Heroku's built-in tools, as the model sees them. */
export const herokuTools: Record<string, Omit<Tool, 'name'>> = {
  code_exec_node: {
    description:
      'Executes a Node.js code snippet with optional npm dependencies, in a throwaway container. A non-zero exit code is an error and should be fixed. Returns: JSON containing returncode / stdout / stderr',
    inputSchema: codeSchema('Node.js', 'npm'),
  },
  code_exec_python: {
    description:
      'Executes a Python code snippet with optional pip dependencies, in a throwaway container. A non-zero exit code is an error and should be fixed. Returns: JSON containing returncode / stdout / stderr',
    inputSchema: codeSchema('Python', 'pip'),
  },
  dyno_run_command: {
    description: 'Runs a preset command of the target app in a throwaway container and returns its output.',
    inputSchema: { type: 'object', properties: {} },
  },
};

const outputLimit = 1024 * 1024;
const scratch = mkdtempSync(join(tmpdir(), 'procdock-heroku-tools-'));

/** Runs one built-in tool in the sandbox; its failures are results with `isError`, like an MCP tool's. */
export async function runHerokuTool(
  hub: Hub,
  name: string,
  args: Record<string, unknown>,
  params: RuntimeParams,
  signal: AbortSignal,
): Promise<CallToolResult> {
  const ttlMs = Math.min(params.ttl_seconds ?? 120, 3600) * 1000;
  if (name === 'dyno_run_command') {
    const appName = params.target_app_name;
    const cmd = params.tool_params?.cmd;
    if (!appName || typeof cmd !== 'string') {
      return failure('dyno_run_command needs runtime_params.target_app_name and runtime_params.tool_params.cmd');
    }
    const app = hub.registry.app(appName);
    const launch = baseLaunch({ name: app.name, path: app.path }, app.image, cmd, hub.catalog.config.get(app.id));
    return asResult(await runCommand(hub, launch, ttlMs, signal));
  }
  const language = name === 'code_exec_node' ? 'node' : name === 'code_exec_python' ? 'python' : undefined;
  if (!language) return failure(`no heroku_tool named "${name}": Procdock offers ${Object.keys(herokuTools).join(', ')}`);
  const code = args.code;
  if (typeof code !== 'string') return failure(`${name} needs a "code" string`);
  const packages = Array.isArray(args.packages) ? args.packages.filter((p): p is string => typeof p === 'string' && /^[@\w./-]+$/.test(p)) : [];
  const image = baseImagesFromEnv()[language];
  const install = packages.length
    ? language === 'node'
      ? `npm install --no-save --no-audit --no-fund --prefix /tmp ${packages.join(' ')} >&2 && export NODE_PATH=/tmp/node_modules && `
      : `pip install --target /tmp/pkgs ${packages.join(' ')} >&2 && export PYTHONPATH=/tmp/pkgs && `
    : '';
  const run = language === 'node' ? 'cd /tmp && node -e "$PROCDOCK_CODE"' : 'cd /tmp && python3 -c "$PROCDOCK_CODE"';
  const launch = baseLaunch({ name: 'heroku-tools', path: scratch }, image, `${install}${run}`, { PROCDOCK_CODE: code });
  if (packages.length) launch.settings = { ...launch.settings, network: 'bridge' };
  return asResult(await runCommand(hub, launch, ttlMs, signal));
}

function baseLaunch(app: ServerLaunch['app'], image: string | null, command: string, env: Record<string, string>): ServerLaunch {
  return { app, image, processType: 'run', command, env, settings: defaultServerSettings, purpose: 'call' };
}

interface CommandOutput {
  returncode: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end in a fresh sandbox, with nothing on stdin, and collects its output. */
async function runCommand(hub: Hub, launch: ServerLaunch, ttlMs: number, signal: AbortSignal): Promise<CommandOutput> {
  const proc = await hub.sandbox.launch(launch, signal);
  const collect = (stream: NodeJS.ReadableStream) => {
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      if (text.length < outputLimit) text += chunk.slice(0, outputLimit - text.length);
    });
    return () => text.trim();
  };
  const stdout = collect(proc.stdout);
  const stderr = collect(proc.stderr);
  proc.stdin.end();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ttlMs)));
  const aborted = new Promise<'aborted'>((resolve) => signal.addEventListener('abort', () => resolve('aborted'), { once: true }));
  try {
    const outcome = await Promise.race([proc.exited, deadline, aborted]);
    if (outcome === 'aborted') throw new AppError('unavailable', 'the run was cancelled');
    if (outcome === 'timeout') return { returncode: -2, stdout: stdout(), stderr: `Error: Execution timed out after ${ttlMs / 1000} s` };
    // Output that was in flight when the process ended still arrives: give it a moment.
    await new Promise((resolve) => setTimeout(resolve, 20));
    return { returncode: outcome.code ?? -1, stdout: stdout(), stderr: stderr() };
  } finally {
    clearTimeout(timer);
    void proc.dispose();
  }
}

function asResult(output: CommandOutput): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(output, null, 2) }], structuredContent: { result: output }, isError: false };
}

function failure(message: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: message }] };
}
