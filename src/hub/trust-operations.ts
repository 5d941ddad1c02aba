import type { Catalog } from '../catalog/catalog.js';
import type { ServerRow } from '../catalog/servers-repository.js';
import type { ToolDiffView } from '../shared/api.js';
import { AppError } from '../shared/errors.js';
import type { OperationName, OperationOutputs, ParsedInput } from '../shared/operations.js';
import type { AppRegistry } from './app-registry.js';
import type { Approvals } from './approvals.js';
import type { CallGate } from './call-gate.js';
import { diffTool } from './tool-diff.js';

type TrustOperation = 'tools.diff' | 'tools.approve' | 'apps.pin' | 'policy.get' | 'policy.set' | 'policy.default' | 'approvals.list' | 'approvals.answer';
type TrustHandlers = { [N in TrustOperation & OperationName]: (input: ParsedInput<N>) => Promise<OperationOutputs[N]> | OperationOutputs[N] };

export interface TrustContext {
  catalog: Catalog;
  registry: AppRegistry;
  gate: CallGate;
  approvals: Approvals;
  changed(): void;
}

/** Pinned tool definitions and what changed in them, approval policies, and held calls. */
export function trustHandlers(hub: TrustContext): TrustHandlers {
  const { catalog, registry } = hub;
  const waiting = (server: ServerRow): ToolDiffView[] =>
    catalog.trust
      .tools(server)
      .filter((tool) => tool.state === 'changed' || tool.state === 'new')
      .map((tool) => {
        const diff = diffTool(tool.approved, tool.definition);
        return { app: server.app_name, process_type: server.process_type, tool: tool.definition.name, state: tool.state as 'changed' | 'new', summary: diff.summary, diff: diff.text };
      });
  const serversOf = (app?: string) => (app === undefined ? catalog.servers.list() : catalog.servers.listByApp(registry.app(app).id));
  const policyView = (appName: string) => {
    const app = registry.app(appName);
    const tools = catalog.servers.listByApp(app.id).flatMap((server) =>
      catalog.servers.tools(server.id).map((definition) => ({ tool: `${server.process_type}/${definition.name}`, ...hub.gate.policyOf(server, definition, definition.name) })),
    );
    return { app: app.name, default: catalog.trust.defaultPolicy(), tools };
  };
  return {
    'tools.diff': ({ app }) => serversOf(app).flatMap(waiting),
    'tools.approve': ({ app, tools }) => {
      const servers = serversOf(app);
      const pending = servers.flatMap(waiting);
      const chosen = tools.length === 0 ? pending : pending.filter((p) => tools.includes(p.tool) || tools.includes(`${p.process_type}/${p.tool}`));
      const unknown = tools.filter((t) => !pending.some((p) => p.tool === t || `${p.process_type}/${p.tool}` === t));
      if (unknown.length > 0) throw new AppError('not_found', `nothing of ${app} waits for approval under ${unknown.map((t) => `"${t}"`).join(', ')}: see procdock tools:diff ${app}`);
      catalog.transaction(() => {
        for (const server of servers) {
          const mine = chosen.filter((c) => c.process_type === server.process_type);
          if (mine.length === 0) continue;
          const definitions = catalog.servers.tools(server.id).filter((t) => mine.some((m) => m.tool === t.name));
          catalog.trust.approve(server.id, definitions);
          for (const c of mine) {
            catalog.calls.note({ server_id: server.id, app_name: server.app_name, process_type: server.process_type, tool: c.tool, decision: 'definition approved', details: { state: c.state, summary: c.summary } });
          }
        }
      });
      hub.changed();
      return { app: registry.app(app).name, approved: chosen };
    },
    'apps.pin': ({ app, pin }) => {
      const row = registry.app(app);
      catalog.transaction(() => {
        catalog.trust.setAppPins(row.id, pin);
        // What it offers now is what pinning starts from.
        if (pin) for (const server of catalog.servers.listByApp(row.id)) catalog.trust.approve(server.id, catalog.servers.tools(server.id));
      });
      hub.changed();
      return { app: row.name, pin };
    },
    'policy.get': ({ app }) => policyView(app),
    'policy.set': ({ app, tool, policy }) => {
      const row = registry.app(app);
      const named = catalog.servers.listByApp(row.id).flatMap((server) =>
        catalog.servers.tools(server.id).filter((t) => t.name === tool || `${server.process_type}/${t.name}` === tool).map((t) => `${server.process_type}/${t.name}`),
      );
      if (named.length === 0) throw new AppError('not_found', `app "${row.name}" has no tool "${tool}": see procdock policy ${row.name}`);
      if (named.length > 1) throw new AppError('conflict', `"${tool}" is a tool of several servers of ${row.name}: name one of ${named.join(', ')}`);
      catalog.trust.setPolicy(row.id, named[0]!, policy);
      hub.changed();
      return policyView(row.name);
    },
    'policy.default': ({ policy }) => {
      catalog.trust.setDefaultPolicy(policy);
      hub.changed();
      return { policy };
    },
    'approvals.list': () => hub.approvals.list(),
    'approvals.answer': ({ id, answer }) => ({ id, answered: hub.approvals.answer(id, answer) }),
  };
}
