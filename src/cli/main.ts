import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { AppView, ServerView } from '../shared/api.js';
import { AppError, isAppError } from '../shared/errors.js';
import { providerPresets, type PresetName } from '../agents/providers.js';
import { runAgent } from './agent.js';
import { writeClientConfig } from './client-config.js';
import { progressPrinter } from './progress.js';
import { ms, table } from './format.js';
import { serve } from './serve.js';
import { withOperations, type CliOperations } from './session.js';

const program = new Command('procdock')
  .description('A personal MCP hub: Procfile MCP servers, one throwaway sandbox per tool call, one toolkit URL.')
  .version('0.1.0')
  .showHelpAfterError();

function print(json: boolean, data: unknown, human: () => string): void {
  process.stdout.write(`${json ? JSON.stringify(data, null, 2) : human()}\n`);
}

/** Adds a data command: runs through the hub or the data dir, prints JSON with --json. */
function command(spec: string, description: string): Command {
  return program.command(spec).description(description).option('--json', 'print JSON');
}

function ops<T>(work: (ops: CliOperations) => Promise<T>): Promise<T> {
  return withOperations((o) => work(o));
}

/** Runs long work on an app while drawing its build progress. */
async function withProgress<T>(h: CliOperations, quiet: boolean, work: () => Promise<T>): Promise<T> {
  if (quiet) return work();
  const printer = progressPrinter();
  const stop = h.onDidProgress((event) => printer.line(event.line));
  try {
    return await work();
  } finally {
    stop();
    printer.done();
  }
}

function failedServers(app: AppView): boolean {
  return app.build_status === 'error' || app.servers.some((s) => s.primitives_status === 'error');
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a whole number');
  return n;
}

function keyValues(pairs: string[]): Record<string, string> {
  return Object.fromEntries(
    pairs.map((pair) => {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new AppError('invalid_input', `"${pair}" is not KEY=VALUE`);
      return [pair.slice(0, eq), pair.slice(eq + 1)];
    }),
  );
}

function describeApp(app: AppView): string {
  const lines = [`${app.name}  ${app.path}${app.image ? `  (${app.image})` : ''}`];
  if (app.build_error) lines.push(`  build failed: ${app.build_error}`);
  for (const s of app.servers) lines.push(`  ${s.process_type}: ${s.process_command}  [${s.primitives_status}, ${s.tools} tools]`);
  for (const s of app.skipped) lines.push(`  ${s.name}: ${s.command}  [skipped: not an mcp* process]`);
  lines.push(`  attached to: ${app.resources.join(', ') || 'no resource'}`);
  return lines.join('\n');
}

function describeServers(servers: ServerView[]): string {
  if (servers.length === 0) return 'No servers. Register an app with: procdock apps:add PATH';
  return servers
    .map((s) => {
      const head = `${s.app_name}/${s.process_type}  ${s.server_status}, ${s.primitives_status}${s.primitives_error ? `: ${s.primitives_error}` : ''}`;
      const tools = s.tools.map((t) => `  ${t.namespaced_name}${t.description ? `  ${t.description.split('\n')[0]?.slice(0, 70)}` : ''}`);
      return [head, ...tools].join('\n');
    })
    .join('\n\n');
}

program
  .command('serve')
  .description('run the headless hub: HTTP API, toolkit and web UI')
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('--port <port>', 'port (0 picks a free one)', positiveInt, 7420)
  .option('--open', 'open the UI in a browser', false)
  .option('--no-auth', 'accept /mcp and /v1 requests without a key (protocol test suites only; loopback only)')
  .action((o: { host: string; port: number; open: boolean; auth: boolean }) => serve(o));

program
  .command('start')
  .description('start the desktop app (or, without Electron, serve --open)')
  .action(async () => {
    const electron = electronBinary();
    if (!electron) {
      process.stderr.write('No Electron runtime is installed: running the hub with its web UI instead (procdock serve --open).\n');
      return serve({ host: '127.0.0.1', port: 7420, open: true });
    }
    const shell = fileURLToPath(new URL('../..', import.meta.url));
    // The hub runs here, in Node; the window is a thin client of it, so Electron never loads the
    // hub's native modules (better-sqlite3 is built for Node, not for Electron's ABI).
    return serve({ host: '127.0.0.1', port: 7420, open: false }, ({ url, token }) =>
      new Promise<void>((resolve) => {
        const child = spawn(electron, [shell], {
          stdio: 'inherit',
          env: { ...process.env, PROCDOCK_HUB_URL: url, PROCDOCK_HUB_TOKEN: token },
        });
        child.once('exit', () => resolve());
        child.once('error', (error) => {
          process.stderr.write(`procdock: cannot start Electron: ${error.message}\n`);
          resolve();
        });
      }),
    );
  });

/** The Electron binary, when the electron package and its runtime are installed. */
function electronBinary(): string | undefined {
  try {
    const path = createRequire(import.meta.url)('electron') as unknown;
    return typeof path === 'string' ? path : undefined;
  } catch {
    return undefined;
  }
}

command('apps', 'list the registered apps').action((o: { json?: boolean }) =>
  ops(async (h) => {
    const apps = await h.run('apps.list', {});
    print(!!o.json, apps, () => (apps.length ? apps.map(describeApp).join('\n\n') : 'No apps. Add one with: procdock apps:add PATH'));
  }),
);

command('apps:add <path>', 'register a Procfile app and sync its MCP servers')
  .option('--name <name>', 'app name (default: the folder name)')
  .option('--attach <resource>', 'model resource to attach it to', 'default')
  .option('--no-attach', 'do not attach it to any resource')
  .action((path: string, o: { json?: boolean; name?: string; attach: string | false }) =>
    ops(async (h) => {
      const app = await withProgress(h, !!o.json, () =>
        h.run('apps.add', { path, name: o.name, attach: o.attach === false ? null : o.attach }),
      );
      print(!!o.json, app, () => describeApp(app));
      if (failedServers(app)) process.exitCode = 1;
    }),
  );

command('apps:build <name>', "rebuild an app's image if its files changed, then re-read its tools").action(
  (name: string, o: { json?: boolean }) =>
    ops(async (h) => {
      const app = await withProgress(h, !!o.json, () => h.run('apps.build', { name }));
      print(!!o.json, app, () => describeApp(app));
      if (failedServers(app)) process.exitCode = 1;
    }),
);

command('apps:remove <name>', 'remove an app, its servers and their tools').action((name: string, o: { json?: boolean }) =>
  ops(async (h) => print(!!o.json, await h.run('apps.remove', { name }), () => `Removed ${name}.`)),
);

command('servers', 'list MCP servers with their tools (the GET /v1/mcp/servers array)')
  .option('--resource <resource>', 'only the servers attached to this resource')
  .action((o: { json?: boolean; resource?: string }) =>
    ops(async (h) => {
      const servers = await h.run('servers.list', { resource: o.resource });
      print(!!o.json, servers, () => describeServers(servers));
    }),
  );

for (const verb of ['start', 'stop'] as const) {
  command(`servers:${verb} <app> <process>`, verb === 'start' ? 'start a server: calls run, its warm pool is kept' : 'stop a server: calls are refused, its warm pool drained').action(
    (app: string, processType: string, o: { json?: boolean }) =>
      ops(async (h) => {
        const server = await h.run(`servers.${verb}`, { app, process: processType });
        print(!!o.json, server, () => `${server.app_name}/${server.process_type} is ${server.server_status}.`);
      }),
  );
}

command('sync [app]', 're-read the tools of every server (of one app) in a fresh sandbox').action(
  (app: string | undefined, o: { json?: boolean }) =>
    ops(async (h) => {
      const servers = await withProgress(h, !!o.json, () => h.run('sync', { app }));
      print(!!o.json, servers, () => describeServers(servers));
      if (servers.some((s) => s.primitives_status === 'error')) process.exitCode = 1;
    }),
);

command('call <tool>', 'run one tool as the toolkit would and print its CallToolResult')
  .option('--args <json>', 'arguments as a JSON object', '{}')
  .option('--resource <resource>', 'model resource whose toolkit to use')
  .action((tool: string, o: { json?: boolean; args: string; resource?: string }) =>
    ops(async (h) => {
      let args: unknown;
      try {
        args = JSON.parse(o.args);
      } catch (error) {
        throw new AppError('invalid_input', `--args is not JSON: ${(error as Error).message}`);
      }
      if (typeof args !== 'object' || args === null || Array.isArray(args)) throw new AppError('invalid_input', '--args must be a JSON object');
      const { result, call } = await h.run('call', { tool, args: args as Record<string, unknown>, resource: o.resource });
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      if (!o.json && call.timings) {
        process.stderr.write(
          `${call.app_name}/${call.process_type} in ${call.sandbox} sandbox: total ${ms(call.timings.total_ms)} (start ${ms(call.timings.start_ms)}, init ${ms(call.timings.init_ms)}, run ${ms(call.timings.run_ms)})\n`,
        );
      }
      if (result.isError) process.exitCode = 1;
    }),
  );

command('models:create <name>', 'create a model resource (its own INFERENCE_KEY and toolkit)')
  .addOption(new Option('--provider <provider>', 'provider (or take it from --preset)').choices(['openai', 'anthropic']))
  .addOption(new Option('--preset <preset>', 'a known endpoint').choices(Object.keys(providerPresets)))
  .requiredOption('--model <id>', 'model id, e.g. gpt-4o-mini, claude-sonnet-4-5 or claude-4-sonnet on Heroku')
  .option('--base-url <url>', 'OpenAI-compatible endpoint (Heroku Inference, Ollama, LM Studio, OpenRouter, vLLM)')
  .option('--api-key-env <var>', 'environment variable of the hub that holds the API key')
  .option('--api-key-stdin', 'read the API key from standard input and store it sealed', false)
  .action(
    (
      name: string,
      o: { json?: boolean; provider?: 'openai' | 'anthropic'; preset?: PresetName; model: string; baseUrl?: string; apiKeyEnv?: string; apiKeyStdin: boolean },
    ) =>
      ops(async (h) => {
        const preset = o.preset ? providerPresets[o.preset] : undefined;
        const provider = o.provider ?? preset?.provider;
        if (!provider) throw new AppError('invalid_input', 'say which provider: --provider openai|anthropic, or --preset');
        const apiKey = o.apiKeyStdin ? (await readStdin()).trim() : undefined;
        if (o.apiKeyStdin && !apiKey) throw new AppError('invalid_input', '--api-key-stdin: nothing came on standard input');
        const model = await h.run('models.create', {
          name,
          provider,
          model: o.model,
          base_url: o.baseUrl ?? preset?.base_url,
          api_key_env: o.apiKeyEnv ?? preset?.api_key_env,
          api_key: apiKey,
        });
        print(!!o.json, model, () => `Created ${model.name} (${model.provider} ${model.model_id}). Its key: procdock key --resource ${model.name}`);
      }),
  );

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return text;
}

command('models', 'list model resources').action((o: { json?: boolean }) =>
  ops(async (h) => {
    const models = await h.run('models.list', {});
    print(!!o.json, models, () =>
      table(
        ['NAME', 'PROVIDER', 'MODEL', 'APPS'],
        models.map((m) => [m.name, m.provider, m.model_id, m.apps.join(', ') || '-']),
      ),
    );
  }),
);

command('models:remove <name>', 'remove a model resource').action((name: string, o: { json?: boolean }) =>
  ops(async (h) => print(!!o.json, await h.run('models.remove', { name }), () => `Removed ${name}.`)),
);

for (const verb of ['attach', 'detach'] as const) {
  command(`${verb} <app>`, verb === 'attach' ? 'attach an app to a model resource' : 'detach an app from a model resource')
    .option('--resource <resource>', 'model resource', 'default')
    .action((app: string, o: { json?: boolean; resource: string }) =>
      ops(async (h) => {
        const done = await h.run(verb, { app, resource: o.resource });
        print(!!o.json, done, () => `${verb === 'attach' ? 'Attached' : 'Detached'} ${done.app} ${verb === 'attach' ? 'to' : 'from'} ${done.resource}.`);
      }),
    );
}

function printConfig(json: boolean, config: { app: string; vars: Record<string, string> }): void {
  print(json, config, () => {
    const entries = Object.entries(config.vars);
    return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join('\n') : `${config.app} has no config vars.`;
  });
}

command('config <app>', "show an app's config vars").action((app: string, o: { json?: boolean }) =>
  ops(async (h) => printConfig(!!o.json, await h.run('config.get', { app }))),
);
command('config:set <app> <pairs...>', 'set config vars (KEY=VALUE…), given to the app’s servers').action(
  (app: string, pairs: string[], o: { json?: boolean }) =>
    ops(async (h) => printConfig(!!o.json, await h.run('config.set', { app, vars: keyValues(pairs) }))),
);
command('config:unset <app> <keys...>', 'remove config vars').action((app: string, keys: string[], o: { json?: boolean }) =>
  ops(async (h) => printConfig(!!o.json, await h.run('config.unset', { app, keys }))),
);

command('key', 'print INFERENCE_URL, INFERENCE_KEY and INFERENCE_MODEL_ID as shell exports')
  .option('--resource <resource>', 'model resource', 'default')
  .action((o: { json?: boolean; resource: string }) =>
    ops(async (h) => {
      const env = await h.run('key', { resource: o.resource });
      print(!!o.json, env, () => `export ${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ')}`);
    }),
  );

command('connect <client>', "write a client's MCP config for this toolkit: cursor, claude or vscode")
  .option('--resource <resource>', 'model resource whose toolkit to connect', 'default')
  .option('--project <dir>', 'write the project config (Cursor: DIR/.cursor/mcp.json; VS Code: DIR/.vscode/mcp.json)')
  .option('--show-key', 'also print the key written into the config', false)
  .action((client: string, o: { json?: boolean; resource: string; project?: string; showKey: boolean }) =>
    ops(async (h) => {
      if (client !== 'cursor' && client !== 'claude' && client !== 'vscode') {
        throw new AppError('invalid_input', `unknown client "${client}": expected cursor, claude or vscode`);
      }
      const env = await h.run('key', { resource: o.resource });
      const done = writeClientConfig({
        client,
        url: `${env.INFERENCE_URL}/mcp`,
        key: env.INFERENCE_KEY,
        entry: o.resource === 'default' ? 'procdock' : `procdock-${o.resource}`,
        ...(o.project ? { project: o.project } : {}),
      });
      print(!!o.json, { ...done, url: `${env.INFERENCE_URL}/mcp`, ...(o.showKey ? { key: env.INFERENCE_KEY } : {}) }, () =>
        [
          `${done.replaced ? 'Updated' : 'Added'} "${done.entry}" in ${done.file}${done.backup ? ` (backup: ${done.backup})` : ''}.`,
          `Toolkit: ${env.INFERENCE_URL}/mcp`,
          o.showKey ? `Key: ${env.INFERENCE_KEY}` : 'The key is in the file; print it with --show-key.',
          client === 'claude' ? 'Restart Claude Desktop to load it.' : '',
        ]
          .filter(Boolean)
          .join('\n'),
      );
    }),
  );

command('agent <prompt>', 'run the agent loop against the resource’s model and print the run')
  .option('--resource <resource>', 'model resource', 'default')
  .option('--tool <name>', 'a tool the agent may use (repeatable): an MCP tool name, or code_exec_node and friends', (v: string, all: string[]) => [...all, v], [] as string[])
  .action((prompt: string, o: { json?: boolean; resource: string; tool: string[] }) => runAgent(prompt, { resource: o.resource, tools: o.tool, json: !!o.json }));

command('calls', 'the call log, newest first, with timings')
  .option('--limit <n>', 'how many', positiveInt, 20)
  .action((o: { json?: boolean; limit: number }) =>
    ops(async (h) => {
      const calls = await h.run('calls.list', { limit: o.limit });
      print(!!o.json, calls, () =>
        table(
          ['STARTED', 'TOOL', 'SERVER', 'STATUS', 'TOTAL', 'START', 'INIT', 'RUN', 'SANDBOX'],
          calls.map((c) => [
            c.started_at.replace('T', ' ').slice(0, 19),
            c.tool,
            `${c.app_name}/${c.process_type}`,
            c.status,
            ms(c.timings?.total_ms),
            ms(c.timings?.start_ms),
            ms(c.timings?.init_ms),
            ms(c.timings?.run_ms),
            c.sandbox,
          ]),
        ),
      );
    }),
  );

/** Runs the CLI; every failure ends as one clear line on stderr and a non-zero exit. */
export async function main(argv: string[]): Promise<void> {
  program.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version') return;
    if (code?.startsWith('commander.')) {
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`procdock: ${isAppError(error) ? error.message : String((error as Error).stack ?? error)}\n`);
    process.exitCode = 1;
  }
}
