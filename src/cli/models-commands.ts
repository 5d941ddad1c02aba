import { Option, type Command } from 'commander';
import { AppError } from '../shared/errors.js';
import { providerPresets, type PresetName } from '../shared/presets.js';
import { callerPath, dataCommand, ops, print, readStdin } from './cli-kit.js';
import type { ConnectResult } from '../hub/client-config.js';
import { table } from './format.js';

interface CreateOptions {
  json?: boolean;
  provider?: 'openai' | 'anthropic';
  preset?: PresetName;
  model?: string;
  baseUrl?: string;
  apiKeyEnv?: string;
  apiKeyStdin: boolean;
}

/** Model resources, attachments, keys, client configs and the agent loop. */
export function registerModelCommands(program: Command): void {
  dataCommand(program, 'models:create <name>', 'create a model resource (its own INFERENCE_KEY and toolkit)')
    .addOption(new Option('--provider <provider>', 'provider (or take it from --preset)').choices(['openai', 'anthropic']))
    .addOption(new Option('--preset <preset>', 'a known endpoint').choices(Object.keys(providerPresets)))
    .option('--model <id>', "model id, e.g. gpt-4o-mini, claude-sonnet-4-5 (default: the preset's)")
    .option('--base-url <url>', 'OpenAI-compatible endpoint (Heroku Inference, Ollama, LM Studio, OpenRouter, vLLM)')
    .option('--api-key-env <var>', 'environment variable of the hub that holds the API key')
    .option('--api-key-stdin', 'read the API key from standard input and store it sealed', false)
    .action((name: string, o: CreateOptions) =>
      ops(async (h) => {
        const preset = o.preset ? providerPresets[o.preset] : undefined;
        const provider = o.provider ?? preset?.provider;
        if (!provider) throw new AppError('invalid_input', 'say which provider: --provider openai|anthropic, or --preset');
        const model = o.model ?? preset?.model;
        if (!model) throw new AppError('invalid_input', 'say which model: --model ID');
        const apiKey = o.apiKeyStdin ? (await readStdin()).trim() : undefined;
        if (o.apiKeyStdin && !apiKey) throw new AppError('invalid_input', '--api-key-stdin: nothing came on standard input');
        const created = await h.run('models.create', {
          name,
          provider,
          model,
          base_url: o.baseUrl ?? preset?.base_url,
          api_key_env: o.apiKeyEnv ?? preset?.api_key_env,
          api_key: apiKey,
        });
        print(!!o.json, created, () => `Created ${created.name} (${created.provider} ${created.model_id}). Its key: procdock key --resource ${created.name}`);
      }),
    );

  dataCommand(program, 'models', 'list model resources').action((o: { json?: boolean }) =>
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

  dataCommand(program, 'models:remove <name>', 'remove a model resource').action((name: string, o: { json?: boolean }) =>
    ops(async (h) => print(!!o.json, await h.run('models.remove', { name }), () => `Removed ${name}.`)),
  );

  for (const verb of ['attach', 'detach'] as const) {
    dataCommand(program, `${verb} <app>`, verb === 'attach' ? 'attach an app to a model resource' : 'detach an app from a model resource')
      .option('--resource <resource>', 'model resource', 'default')
      .action((app: string, o: { json?: boolean; resource: string }) =>
        ops(async (h) => {
          const done = await h.run(verb, { app, resource: o.resource });
          const [past, word] = verb === 'attach' ? ['Attached', 'to'] : ['Detached', 'from'];
          print(!!o.json, done, () => `${past} ${done.app} ${word} ${done.resource}.`);
        }),
      );
  }

  dataCommand(program, 'key', 'print INFERENCE_URL, INFERENCE_KEY and INFERENCE_MODEL_ID as shell exports')
    .option('--resource <resource>', 'model resource', 'default')
    .action((o: { json?: boolean; resource: string }) =>
      ops(async (h) => {
        const env = await h.run('key', { resource: o.resource });
        print(!!o.json, env, () => `export ${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ')}`);
      }),
    );

  dataCommand(program, 'connect <client>', "write a client's MCP config for this toolkit: cursor, claude or vscode")
    .option('--resource <resource>', 'model resource whose toolkit to connect', 'default')
    .option('--project <dir>', "write the project config (Cursor: DIR/.cursor/mcp.json; VS Code: DIR/.vscode/mcp.json) instead of the user's")
    .option('--show-key', 'also print the key written into the config', false)
    .action((client: string, o: { json?: boolean; resource: string; project?: string; showKey: boolean }) =>
      ops(async (h) => {
        if (client !== 'cursor' && client !== 'claude' && client !== 'vscode') {
          throw new AppError('invalid_input', `unknown client "${client}": expected cursor, claude or vscode`);
        }
        const { writeClientConfig } = await import('../hub/client-config.js');
        const env = await h.run('key', { resource: o.resource });
        const url = `${env.INFERENCE_URL}/mcp`;
        const done = writeClientConfig({
          client,
          url,
          key: env.INFERENCE_KEY,
          entry: o.resource === 'default' ? 'procdock' : `procdock-${o.resource}`,
          ...(o.project ? { project: callerPath(o.project) } : {}),
        });
        print(!!o.json, { ...done, url, ...(o.showKey ? { key: env.INFERENCE_KEY } : {}) }, () =>
          [
            `${done.replaced ? 'Updated' : 'Added'} "${done.entry}" in ${done.file}${done.backup ? ` (backup: ${done.backup})` : ''}.`,
            `Toolkit: ${url}`,
            ...keyLines(done, o.showKey ? env.INFERENCE_KEY : undefined),
            client === 'claude' ? 'Restart Claude Desktop to load it.' : '',
          ]
            .filter(Boolean)
            .join('\n'),
        );
      }),
    );

  dataCommand(program, 'agent <prompt>', 'run the agent loop against the resource’s model and print the run')
    .option('--resource <resource>', 'model resource', 'default')
    .option(
      '--tool <name>',
      'a tool the agent may use (repeatable): an MCP tool name, or code_exec_node and friends',
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .action(async (prompt: string, o: { json?: boolean; resource: string; tool: string[] }) => {
      const { runAgent } = await import('./agent.js');
      await runAgent(prompt, { resource: o.resource, tools: o.tool, json: !!o.json });
    });
}

/** How the user gets the key to the client, and a warning where a key sits in a git work tree. */
function keyLines(done: ConnectResult, key: string | undefined): string[] {
  const shown = key ?? '(procdock key prints it; --show-key shows it here)';
  switch (done.key.kind) {
    case 'env':
      return [`The file is in the git work tree ${done.gitTree}, so it names the key instead of holding it: set ${done.key.variable}=${shown} where Cursor starts.`];
    case 'input':
      return [`VS Code asks for the key once and keeps it in its secret storage: paste ${shown}.`];
    case 'literal':
      return [
        key ? `Key: ${key}` : 'The key is in the file; print it with --show-key.',
        ...(done.gitTree ? [`Warning: ${done.file} is in the git work tree ${done.gitTree} and holds the key: keep it out of commits.`] : []),
      ];
  }
}
