import type { AppView, ServerView } from '../shared/api.js';
import { ms, table } from './format.js';
import { withReadOperations } from './session.js';
import { writeStdout } from './stdout.js';

// The list commands, without commander: `bin/procdock` runs them straight from the fast path
// (fast.ts), and the full CLI registers the same actions.

/** Prints data: JSON with `--json`, else the human rendering. */
export function print(json: boolean, data: unknown, human: () => string): void {
  writeStdout(`${json ? JSON.stringify(data, null, 2) : human()}\n`);
}

/** Why an app cannot serve, in one line: its build failed, or a server did not start; else undefined. */
export function failureOf(app: AppView): string | undefined {
  if (app.build_status === 'error') {
    const why = app.build_error?.split('\n')[0];
    return why?.includes(app.name) ? why : `${app.name}: the build failed${why ? `: ${why}` : ''}`;
  }
  const broken = app.servers.filter((s) => s.primitives_status === 'error');
  if (broken.length === 0) return undefined;
  const [first] = broken;
  const more = broken.length > 1 ? ` (and ${broken.length - 1} more server${broken.length > 2 ? 's' : ''}: see procdock servers)` : '';
  const where = `${app.name}/${first!.process_type}`;
  const why = first!.primitives_error ?? 'its tools could not be read';
  // A sync's error names its server already (`app/mcp: initialize failed: …`): not twice.
  return `${why.startsWith(`${where}: `) ? why : `${where}: ${why}`}${more}`;
}

export function describeApp(app: AppView): string {
  const lines = [`${app.name}  ${app.path}${app.image ? `  (${app.image})` : ''}`];
  if (app.build_error) lines.push(`  build failed: ${app.build_error}`);
  for (const s of app.servers) {
    const tools = `${s.tools} tool${s.tools === 1 ? '' : 's'}`;
    lines.push(`  ${s.process_type}: ${s.process_command}  [${s.primitives_status}, ${tools}]`);
    // A failed build is said once, above: every server shares it.
    if (s.primitives_error && app.build_status !== 'error') lines.push(`    ${s.primitives_error}`);
    if (s.loosened) lines.push(`    procdock.json loosens its sandbox: ${s.loosened.join('; ')}`);
  }
  for (const s of app.skipped) lines.push(`  ${s.name}: ${s.command}  [skipped: not an mcp* process]`);
  lines.push(`  attached to: ${app.resources.join(', ') || 'no resource'}`);
  return lines.join('\n');
}

export function describeServers(servers: ServerView[]): string {
  if (servers.length === 0) return 'No servers. Register an app with: procdock apps:add PATH';
  return servers
    .map((s) => {
      const head = `${s.app_name}/${s.process_type}  ${s.server_status}, ${s.primitives_status}${s.primitives_error ? `: ${s.primitives_error}` : ''}`;
      const state = [
        s.lifetime === 'session' ? '  keeps state: one container per client session' : '  starts fresh at every call',
        ...s.volumes.map((path) => `  volume ${path}: kept across calls`),
        ...s.mounts.map((m) => `  ${m.description}`),
        ...(s.refused ?? []).map((r) => `  refused ${r.kind} "${r.name}": ${r.reason}`),
        ...(s.loosened ? [`  procdock.json loosens its sandbox: ${s.loosened.join('; ')}`] : []),
      ];
      const waits = (t: ServerView['tools'][number]) =>
        t.pin === 'changed' || t.pin === 'new' ? `  [${t.pin}: waits for procdock tools:approve]` : '';
      const tools = s.tools.map(
        (t) => `  ${t.name}${waits(t)}${t.description ? `  ${t.description.split('\n')[0]?.slice(0, 70)}` : ''}`,
      );
      return [head, ...state, ...tools].join('\n');
    })
    .join('\n\n');
}

export const listCommands = {
  apps: (o: { json?: boolean }) =>
    withReadOperations(async (h) => {
      const apps = await h.run('apps.list', {});
      print(!!o.json, apps, () =>
        apps.length ? apps.map(describeApp).join('\n\n') : 'No apps. Add one with: procdock apps:add PATH',
      );
    }),
  servers: (o: { json?: boolean; resource?: string }) =>
    withReadOperations(async (h) => {
      const servers = await h.run('servers.list', { resource: o.resource });
      print(!!o.json, servers, () => describeServers(servers));
    }),
  calls: (o: { json?: boolean; limit: number }) =>
    withReadOperations(async (h) => {
      const calls = await h.run('calls.list', { limit: o.limit });
      print(!!o.json, calls, () =>
        table(
          // QUEUED: waiting for approval, or for a free slot among the calls that run at once.
          ['STARTED', 'TOOL', 'SERVER', 'STATUS', 'TOTAL', 'QUEUED', 'START', 'INIT', 'RUN', 'SANDBOX', 'DECISION'],
          calls.map((c) => [
            c.started_at.replace('T', ' ').slice(0, 19),
            c.tool,
            `${c.app_name}/${c.process_type}`,
            c.status,
            ms(c.timings?.total_ms),
            ms(c.timings?.queued_ms),
            ms(c.timings?.start_ms),
            ms(c.timings?.init_ms),
            ms(c.timings?.run_ms),
            `${c.sandbox}${c.warm ? ' warm' : ''}`,
            c.decision ?? '',
          ]),
        ),
      );
    }),
};
