import { herokuTools, whyUnavailable } from '../agents/heroku-tools.js';
import { defaultServerSettings, type ServerSettings } from '../apps/server-settings.js';
import type { ServerRow } from '../catalog/servers-repository.js';
import type { ServerDetailView } from '../shared/api.js';
import { AppError } from '../shared/errors.js';
import type { OperationName, OperationOutputs, ParsedInput } from '../shared/operations.js';
import { toolkitTools } from '../toolkit/toolkit-catalog.js';
import { defaultResourceName } from './app-registry.js';
import { writeClientConfig } from './client-config.js';
import type { Hub } from './hub.js';
import { discoverLocalModels } from './local-models.js';

type DesktopOperation =
  | 'calls.get'
  | 'key.rotate'
  | 'models.update'
  | 'models.discover'
  | 'servers.detail'
  | 'toolkit.tools'
  | 'toolkit.builtins'
  | 'config.keys'
  | 'config.reveal'
  | 'connect'
  | 'conversations.list'
  | 'conversations.get'
  | 'conversations.save'
  | 'conversations.rename'
  | 'conversations.remove';

export type DesktopHandlers = {
  [N in DesktopOperation]: (input: ParsedInput<N>) => Promise<OperationOutputs[N]> | OperationOutputs[N];
} & Partial<Record<Exclude<OperationName, DesktopOperation>, never>>;

/**
 * The operations the desktop app and web UI need beyond the CLI's: keys, local models, server
 * details, conversations. Each writes SQLite first, then calls `changed` to tell every follower.
 */
export function desktopHandlers(hub: Hub, changed: () => void): DesktopHandlers {
  const { catalog, registry, views } = hub;
  const keyOf = (name: string | undefined) => {
    const row = registry.resource(name ?? defaultResourceName);
    return { INFERENCE_URL: hub.url, INFERENCE_KEY: catalog.models.inferenceKey(row.id), INFERENCE_MODEL_ID: row.model_id };
  };
  const conversation = (id: string) => {
    const found = catalog.conversations.find(id);
    if (!found) throw new AppError('not_found', `no conversation ${id}`);
    return found;
  };
  return {
    'calls.get': ({ id }) => {
      const call = catalog.calls.find(id);
      if (!call) throw new AppError('not_found', `no call ${id}: see procdock calls`);
      return call;
    },
    'key.rotate': ({ resource }) => {
      catalog.models.rotateKey(registry.resource(resource ?? defaultResourceName).id);
      changed();
      return keyOf(resource);
    },
    'models.update': ({ name, model, ...change }) => {
      const row = registry.resource(name);
      catalog.models.update(row.id, { ...change, model_id: model });
      changed();
      return views.resource(registry.resource(name));
    },
    'models.discover': () => discoverLocalModels(),
    'servers.detail': ({ app, process }) => serverDetail(hub, findServer(hub, app, process)),
    'toolkit.tools': ({ resource }) => {
      const row = registry.resource(resource ?? defaultResourceName);
      const apps = new Map(catalog.servers.listByResource(row.id).map((s) => [s.process_type, s.app_name]));
      return toolkitTools(catalog, row.id).map((tool) => ({
        name: tool.name,
        original: tool.original,
        namespace: tool.namespace,
        app_name: apps.get(tool.namespace) ?? '',
        ...(typeof tool.definition.description === 'string' ? { description: tool.definition.description } : {}),
        annotations: (tool.definition.annotations as Record<string, unknown> | undefined) ?? {},
      }));
    },
    'toolkit.builtins': () =>
      Promise.all(
        Object.entries(herokuTools).map(async ([name, tool]) => {
          const unavailable = await whyUnavailable(hub, name);
          return { name, description: tool.description ?? '', needs_app: name === 'dyno_run_command', ...(unavailable ? { unavailable } : {}) };
        }),
      ),
    'config.keys': ({ app }) => ({ app, keys: catalog.config.keys(registry.app(app).id) }),
    'config.reveal': ({ app, key }) => {
      const value = catalog.config.get(registry.app(app).id)[key];
      if (value === undefined) throw new AppError('not_found', `app "${app}" has no config var ${key}`);
      return { app, key, value };
    },
    connect: ({ client, resource, project }) => {
      const env = keyOf(resource);
      const url = `${env.INFERENCE_URL}/mcp`;
      const name = resource ?? defaultResourceName;
      const entry = name === defaultResourceName ? 'procdock' : `procdock-${name}`;
      return { ...writeClientConfig({ client, url, key: env.INFERENCE_KEY, entry, ...(project ? { project } : {}) }), url };
    },
    'conversations.list': () => catalog.conversations.list(),
    'conversations.get': ({ id }) => conversation(id),
    'conversations.save': ({ id, title, resource, tools, entries }) => {
      const saved = catalog.conversations.save({ id, title: title ?? titleOf(entries), resource, tools, entries });
      changed();
      return conversation(saved);
    },
    'conversations.rename': ({ id, title }) => {
      if (!catalog.conversations.rename(id, title)) throw new AppError('not_found', `no conversation ${id}`);
      changed();
      const { entries: _entries, tools: _tools, ...summary } = conversation(id);
      return summary;
    },
    'conversations.remove': ({ id }) => {
      if (!catalog.conversations.remove(id)) throw new AppError('not_found', `no conversation ${id}`);
      void hub.runner.sessions.endSession(conversationSession(id));
      changed();
      return { removed: id };
    },
  };
}

/**
 * The client session of a chat conversation: its session-lifetime servers keep one container for
 * all its turns, ended when it is deleted or idle. Prefixed so it never meets a toolkit session's id.
 */
export function conversationSession(id: string): string {
  return `conversation:${id}`;
}

function findServer(hub: Hub, appName: string, processType: string): ServerRow {
  const app = hub.registry.app(appName);
  const server = hub.catalog.servers.listByApp(app.id).find((s) => s.process_type === processType);
  if (!server) throw new AppError('not_found', `app "${app.name}" has no server "${processType}"`);
  return server;
}

/** A conversation is named after its first words until the user renames it. */
function titleOf(entries: unknown[]): string {
  const first = entries.find((e): e is { role: string; text: string } => (e as { role?: unknown })?.role === 'user');
  const text = typeof first?.text === 'string' ? first.text.replace(/\s+/g, ' ').trim() : '';
  return text ? (text.length > 60 ? `${text.slice(0, 57)}…` : text) : 'New conversation';
}

function serverDetail(hub: Hub, server: ServerRow): ServerDetailView {
  const { catalog } = hub;
  const app = catalog.apps.findById(server.app_id)!;
  const attached = catalog.models.resourceNamesOf(app.id);
  const exposed: ServerDetailView['exposed'] = {};
  for (const resourceName of attached) {
    const resource = catalog.models.findByName(resourceName)!;
    for (const tool of toolkitTools(catalog, resource.id)) {
      if (tool.namespace !== server.process_type || tool.name === tool.original) continue;
      (exposed[tool.original] ??= {})[resourceName] = tool.name;
    }
  }
  const changed: ServerDetailView['changed_settings'] = {};
  for (const key of Object.keys(defaultServerSettings) as (keyof ServerSettings)[]) {
    if (JSON.stringify(server.settings[key]) !== JSON.stringify(defaultServerSettings[key])) changed[key] = [defaultServerSettings[key], server.settings[key]];
  }
  const info = catalog.servers.serverInfo(server.id);
  return {
    ...hub.views.server(server),
    exposed,
    settings: { ...server.settings },
    changed_settings: changed,
    resources: catalog.servers.primitives(server.id, 'resource') as ServerDetailView['resources'],
    templates: catalog.servers.primitives(server.id, 'template') as ServerDetailView['templates'],
    prompts: catalog.servers.primitives(server.id, 'prompt') as ServerDetailView['prompts'],
    server_info: info,
    synced_at: server.synced_at,
    config_keys: catalog.config.keys(app.id),
    resources_attached: attached,
    image: app.image,
    build_status: app.build_status,
    build_error: app.build_error,
    sandbox: { kind: hub.sandbox.kind, sandboxed: hub.sandbox.sandboxed },
  };
}
