import { InvalidArgumentError, type Command } from 'commander';
import type { PolicyView, ToolDiffView } from '../shared/api.js';
import { dataCommand, ops, print } from './cli-kit.js';
import { table } from './format.js';

function describeDiffs(diffs: ToolDiffView[], app: string | undefined): string {
  if (diffs.length === 0) return `No tool definition waits for approval${app ? ` in ${app}` : ''}.`;
  return diffs
    .map((d) =>
      [
        `${d.app}/${d.process_type} ${d.tool}  [${d.state === 'new' ? 'new tool' : 'changed since you approved it'}]`,
        ...d.summary.map((line) => `  • ${line}`),
        ...d.diff.split('\n').map((line) => `    ${line}`),
        `  accept it: procdock tools:approve ${d.app} ${d.process_type}/${d.tool}`,
      ].join('\n'),
    )
    .join('\n\n');
}

function describePolicy(view: PolicyView): string {
  const rows = view.tools.map((t) => [t.tool, t.policy, t.why === 'its policy' ? 'set for it' : t.why === 'read-only' ? 'read-only tool' : `hub default (${view.default})`]);
  return `${table(['TOOL', 'POLICY', 'WHY'], rows)}\n\nHub default for tools not annotated read-only: ${view.default}`;
}

function choice<T extends string>(allowed: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(allowed as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected ${allowed.join(' or ')}`);
    return value as T;
  };
}

/** tools:diff, tools:approve and the policy commands: what a server may do, and what the user approved. */
export function registerTrustCommands(program: Command): void {
  dataCommand(program, 'tools:diff [app]', 'tool definitions that changed, or are new, since you approved them: hidden until approved').action(
    (app: string | undefined, o: { json?: boolean }) =>
      ops(async (h) => {
        const diffs = await h.run('tools.diff', { app });
        print(!!o.json, diffs, () => describeDiffs(diffs, app));
      }),
  );

  dataCommand(program, 'tools:approve <app> [tools...]', 'accept changed or new tool definitions (all of the app’s, or those named)').action(
    (app: string, tools: string[], o: { json?: boolean }) =>
      ops(async (h) => {
        const done = await h.run('tools.approve', { app, tools });
        print(!!o.json, done, () =>
          done.approved.length ? `Approved ${done.approved.map((d) => `${d.process_type}/${d.tool}`).join(', ')}.` : `Nothing of ${app} waits for approval.`,
        );
      }),
  );

  dataCommand(program, 'policy <app>', 'the approval policy of each tool of an app').action((app: string, o: { json?: boolean }) =>
    ops(async (h) => {
      const view = await h.run('policy.get', { app });
      print(!!o.json, view, () => describePolicy(view));
    }),
  );

  dataCommand(program, 'policy:set <app> <tool> <policy>', 'allow, ask (hold each call for approval) or deny one tool')
    .action((app: string, tool: string, policy: string, o: { json?: boolean }) =>
      ops(async (h) => {
        const view = await h.run('policy.set', { app, tool, policy: choice(['allow', 'ask', 'deny'] as const)(policy) });
        const set = view.tools.find((t) => t.tool === tool || t.tool.endsWith(`/${tool}`));
        const means = { allow: 'runs when called', ask: 'asks before each call', deny: 'is refused' } as const;
        print(!!o.json, view, () => (set ? `${app}: ${set.tool} ${means[set.policy]} (policy ${set.policy}).` : describePolicy(view)));
      }),
    );

  dataCommand(program, 'policy:default <policy>', 'the policy of tools not annotated read-only and without one of their own: allow or ask').action(
    (policy: string, o: { json?: boolean }) =>
      ops(async (h) => {
        const done = await h.run('policy.default', { policy: choice(['allow', 'ask'] as const)(policy) });
        print(!!o.json, done, () => `Tools not annotated read-only now ${done.policy === 'ask' ? 'ask before each call' : 'run when called'}, unless they have a policy of their own.`);
      }),
  );
}
