import { describeMount } from '../apps/describe-mount.js';
import { loosenedSettings } from '../apps/server-defaults.js';
import type { Catalog } from '../catalog/catalog.js';
import type { MountRow } from '../catalog/mounts-repository.js';
import type { ModelResourceRow } from '../catalog/models-repository.js';
import type { ServerRow, ToolDefinition } from '../catalog/servers-repository.js';
import type { AppView, ModelResourceView, MountView, ServerView, ToolView } from '../shared/api.js';
import { keyStatus } from './provider-check.js';

/** Builds the public shapes (Heroku's fields) from catalog rows. */
export class Views {
  constructor(private readonly catalog: Catalog) {}

  server(row: ServerRow): ServerView {
    const view: ServerView = {
      id: row.id,
      app_id: row.app_id,
      app_name: row.app_name,
      process_type: row.process_type,
      process_command: row.process_command,
      created_at: row.created_at,
      updated_at: row.updated_at,
      namespace: row.process_type,
      server_status: row.server_status,
      primitives_status: row.primitives_status,
      tools: this.catalog.trust.tools(row).map((tool) => ({ ...toolView(row.process_type, tool.definition), pin: tool.state })),
      lifetime: row.settings.lifetime,
      volumes: row.settings.volumes,
      mounts: this.catalog.mounts.forServer(row.app_id, row.process_type).map((mount) => this.mount(row.app_name, mount)),
    };
    if (row.primitives_error) view.primitives_error = row.primitives_error;
    if (row.refused.length > 0) view.refused = row.refused;
    const loosened = loosenedSettings(row.settings);
    if (loosened.length > 0) view.loosened = loosened;
    return view;
  }

  mount(appName: string, row: MountRow): MountView {
    const view: MountView = {
      app: appName,
      host_path: row.host_path,
      container_path: row.container_path,
      read_write: row.read_write,
      description: describeMount(row),
    };
    if (row.process_type) view.process_type = row.process_type;
    return view;
  }

  app(name: string): AppView {
    const app = this.catalog.apps.findByName(name);
    if (!app) throw new Error(`app ${name} vanished`);
    const view: AppView = {
      id: app.id,
      name: app.name,
      path: app.path,
      servers: this.catalog.servers.listByApp(app.id).map((server) => {
        const loosened = loosenedSettings(server.settings);
        return {
          process_type: server.process_type,
          process_command: server.process_command,
          primitives_status: server.primitives_status,
          ...(server.primitives_error ? { primitives_error: server.primitives_error } : {}),
          tools: this.catalog.servers.tools(server.id).length,
          ...(loosened.length > 0 ? { loosened } : {}),
        };
      }),
      skipped: app.skipped,
      resources: this.catalog.models.resourceNamesOf(app.id),
      build_status: app.build_status,
      created_at: app.created_at,
      updated_at: app.updated_at,
    };
    if (app.build_error) view.build_error = app.build_error;
    if (app.image) view.image = app.image;
    return view;
  }

  resource(row: ModelResourceRow): ModelResourceView {
    const view: ModelResourceView = {
      id: row.id,
      name: row.name,
      provider: row.provider,
      model_id: row.model_id,
      has_api_key: row.has_api_key,
      key_status: keyStatus(row),
      apps: this.catalog.models.appNamesOf(row.id),
      created_at: row.created_at,
    };
    if (row.base_url) view.base_url = row.base_url;
    if (row.api_key_env) view.api_key_env = row.api_key_env;
    return view;
  }
}

function toolView(namespace: string, tool: ToolDefinition): ToolView {
  const view: ToolView = {
    name: tool.name,
    namespaced_name: `${namespace}/${tool.name}`,
    input_schema: (tool.inputSchema as Record<string, unknown> | undefined) ?? { type: 'object' },
    annotations: (tool.annotations as Record<string, unknown> | undefined) ?? {},
  };
  if (typeof tool.description === 'string') view.description = tool.description;
  if (tool.outputSchema) view.output_schema = tool.outputSchema as Record<string, unknown>;
  return view;
}
