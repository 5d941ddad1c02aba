import type { Catalog } from '../catalog/catalog.js';
import type { ModelResourceRow } from '../catalog/models-repository.js';
import type { ServerRow, ToolDefinition } from '../catalog/servers-repository.js';
import type { AppView, ModelResourceView, ServerView, ToolView } from '../shared/api.js';
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
      tools: this.catalog.servers.tools(row.id).map((tool) => toolView(row.process_type, tool)),
    };
    if (row.primitives_error) view.primitives_error = row.primitives_error;
    return view;
  }

  app(name: string): AppView {
    const app = this.catalog.apps.findByName(name);
    if (!app) throw new Error(`app ${name} vanished`);
    const view: AppView = {
      id: app.id,
      name: app.name,
      path: app.path,
      servers: this.catalog.servers.listByApp(app.id).map((server) => ({
        process_type: server.process_type,
        process_command: server.process_command,
        primitives_status: server.primitives_status,
        tools: this.catalog.servers.tools(server.id).length,
      })),
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
