import type { Catalog } from '../catalog/catalog.js';
import type { ToolDefinition } from '../catalog/servers-repository.js';
import { exposedNames } from './tool-names.js';

/** One tool as a resource's toolkit exposes it, and where it comes from. */
export interface ToolkitTool {
  /** The name clients see: the tool's own, or `<namespace>__<name>` on a clash. */
  name: string;
  namespace: string;
  definition: ToolDefinition;
}

/**
 * The tools of a resource's toolkit: every synced, started server attached to it. Read fresh from
 * the catalog each time, so it always matches what `GET /v1/mcp/servers` shows.
 */
export function toolkitTools(catalog: Catalog, resourceId: string): ToolkitTool[] {
  const tools = catalog.servers
    .listByResource(resourceId)
    .filter((server) => server.server_status === 'registered')
    .flatMap((server) =>
      catalog.servers.tools(server.id).map((definition) => ({
        namespace: server.process_type,
        name: definition.name,
        definition,
        label: `${server.app_name}/${server.process_type}`,
      })),
    );
  return [...exposedNames(tools)].map(([name, tool]) => ({
    name,
    namespace: tool.namespace,
    definition: {
      ...tool.definition,
      name,
      // Clients and the conformance suite expect a description on every tool.
      description: typeof tool.definition.description === 'string' ? tool.definition.description : `${tool.name} (from ${tool.label})`,
    },
  }));
}
