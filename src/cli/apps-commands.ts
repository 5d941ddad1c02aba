import type { Command } from 'commander';
import type { AppChange, AppView } from '../shared/api.js';
import { callerPath, dataCommand, keyValues, ops, parseJsonObject, positiveInt, print, withProgress } from './cli-kit.js';
import { ms } from './format.js';
import { describeApp, describeServers, failureOf, listCommands } from './list-commands.js';
import { AppError } from '../shared/errors.js';

/** What re-reading apps' Procfiles and procdock.json changed, one line each. */
function describeChanges(changes: AppChange[] | undefined): string[] {
  return (changes ?? []).map((change) => `${change.app}${change.process ? `/${change.process}` : ''}: ${change.what}`);
}

/** apps, servers, sync, call, calls and config: the commands about apps and their servers. */
export function registerAppCommands(program: Command): void {
  dataCommand(program, 'apps', 'list the registered apps').action(listCommands.apps);

  dataCommand(program, 'apps:add <path>', 'register a Procfile app, build its image and sync its MCP servers')
    .option('--name <name>', 'app name (default: the folder name)')
    .option('--attach <resource>', 'model resource to attach it to', 'default')
    .option('--no-attach', 'do not attach it to any resource')
    .option('--mount <spec>', 'grant a host folder, HOST_PATH:CONTAINER_PATH[:rw] (repeatable)', (spec: string, all: string[]) => [...all, spec], [])
    .option('--pin <on|off>', 'pin tool definitions, so a change waits for approval (off: servers under development)', 'on')
    .action((path: string, o: { json?: boolean; name?: string; attach: string | false; mount: string[]; pin: string }) =>
      ops(async (h) => {
        const { parseMountSpec } = await import('../apps/host-mounts.js');
        const mounts = o.mount.map((spec) => parseMountSpec(spec, process.cwd()));
        if (o.pin !== 'on' && o.pin !== 'off') throw new AppError('invalid_input', `--pin ${o.pin}: expected on or off`);
        const input = { path: callerPath(path), name: o.name, attach: o.attach === false ? null : o.attach, mounts, pin: o.pin === 'on' };
        const app = await withProgress(h, !!o.json, () => h.run('apps.add', input));
        print(!!o.json, app, () => describeApp(app));
        reportFailure(app);
      }),
    );

  dataCommand(program, 'apps:build <name>', "re-read an app's Procfile and procdock.json, rebuild its image if its files changed, re-read its tools").action(
    (name: string, o: { json?: boolean }) =>
      ops(async (h) => {
        const app = await withProgress(h, !!o.json, () => h.run('apps.build', { name }));
        print(!!o.json, app, () => [...describeChanges(app.changes), describeApp(app)].join('\n'));
        reportFailure(app);
      }),
  );

  dataCommand(program, 'apps:remove <name>', 'remove an app: its servers, tools, config vars, containers, image and volumes')
    .option('--keep-data', 'keep its app volumes')
    .action((name: string, o: { json?: boolean; keepData?: boolean }) =>
      ops(async (h) =>
        print(!!o.json, await h.run('apps.remove', { name, keep_data: !!o.keepData }), () => `Removed ${name}${o.keepData ? ' (its volumes are kept)' : ''}.`),
      ),
    );

  dataCommand(program, 'servers', 'list MCP servers with their tools (the GET /v1/mcp/servers array)')
    .option('--resource <resource>', 'only the servers attached to this resource')
    .action(listCommands.servers);

  for (const verb of ['start', 'stop'] as const) {
    const what = verb === 'start' ? 'start a server: calls run, its warm pool is kept' : 'stop a server: calls are refused, its warm pool drained';
    dataCommand(program, `servers:${verb} <app> <process>`, what).action((app: string, processType: string, o: { json?: boolean }) =>
      ops(async (h) => {
        const server = await h.run(`servers.${verb}`, { app, process: processType });
        print(!!o.json, server, () => `${server.app_name}/${server.process_type} is ${server.server_status}.`);
        if (verb === 'start' && server.primitives_status === 'error') {
          const why = server.primitives_error ?? 'its tools could not be read';
          process.stderr.write(`procdock: ${server.app_name}/${server.process_type} is started, but no call can run until it syncs: ${why}. Fix it, then: procdock sync ${server.app_name}\n`);
          process.exitCode = 1;
        }
      }),
    );
  }

  dataCommand(program, 'sync [app]', "re-read apps' Procfiles and procdock.json, and every server's tools in a fresh sandbox").action(
    (app: string | undefined, o: { json?: boolean }) =>
      ops(async (h) => {
        const synced = await withProgress(h, !!o.json, () => h.run('sync', { app }));
        print(!!o.json, synced, () => [...describeChanges(synced.changes), describeServers(synced.servers)].join('\n'));
        // A server that cannot serve, or an app not re-read or not rebuilt: something to fix.
        if (synced.servers.some((s) => s.primitives_status === 'error') || synced.changes.some((c) => c.refused)) process.exitCode = 1;
      }),
  );

  dataCommand(program, 'call <tool>', 'run one tool as the toolkit would and print its CallToolResult')
    .option('--args <json>', 'arguments as a JSON object', '{}')
    .option('--resource <resource>', 'model resource whose toolkit to use')
    .action((tool: string, o: { json?: boolean; args: string; resource?: string }) =>
      ops(async (h) => {
        const args = parseJsonObject(o.args, '--args');
        const { result, call } = await h.run('call', { tool, args, resource: o.resource });
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        const refused = !call.container_id && /^(denied|declined|refused|timed out)/.test(call.decision ?? '');
        if (!o.json && refused) process.stderr.write(`${call.app_name}/${call.process_type}: not run (${call.decision})\n`);
        else if (!o.json && call.timings) {
          const t = call.timings;
          process.stderr.write(
            `${call.app_name}/${call.process_type} in ${call.sandbox} sandbox${call.warm ? ' (warm)' : ''}: total ${ms(t.total_ms)} (start ${ms(t.start_ms)}, init ${ms(t.init_ms)}, run ${ms(t.run_ms)})\n`,
          );
        }
        if (result.isError) process.exitCode = 1;
      }),
    );

  dataCommand(program, 'calls', 'the call log, newest first, with timings')
    .option('--limit <n>', 'how many', positiveInt, 20)
    .action(listCommands.calls);

  const printConfig = (json: boolean, config: { app: string; vars: Record<string, string> }) =>
    print(json, config, () => {
      const entries = Object.entries(config.vars);
      return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join('\n') : `${config.app} has no config vars.`;
    });
  dataCommand(program, 'config <app>', "show an app's config vars").action((app: string, o: { json?: boolean }) =>
    ops(async (h) => printConfig(!!o.json, await h.run('config.get', { app }))),
  );
  dataCommand(program, 'config:set <app> <pairs...>', 'set config vars (KEY=VALUE…), given to the app’s servers').action(
    (app: string, pairs: string[], o: { json?: boolean }) =>
      ops(async (h) => printConfig(!!o.json, await h.run('config.set', { app, vars: keyValues(pairs) }))),
  );
  dataCommand(program, 'config:unset <app> <keys...>', 'remove config vars').action((app: string, keys: string[], o: { json?: boolean }) =>
    ops(async (h) => printConfig(!!o.json, await h.run('config.unset', { app, keys }))),
  );
}

/** An app that cannot serve after apps:add or apps:build: one line saying why, and exit status 1. */
function reportFailure(app: AppView): void {
  const failure = failureOf(app);
  if (!failure) return;
  process.stderr.write(`procdock: ${failure}\n`);
  process.exitCode = 1;
}
