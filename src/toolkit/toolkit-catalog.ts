import type { Catalog } from '../catalog/catalog.js';
import { offered } from '../catalog/trust-repository.js';
import type { ServerPrimitives, ServerRow, ToolDefinition } from '../catalog/servers-repository.js';
import { exposedNames, refusedName } from './tool-names.js';

/** One tool as a resource's toolkit exposes it, and where it comes from. */
export interface ToolkitTool {
  /** The name clients see: the tool's own, or `<namespace>__<name>` on a clash. */
  name: string;
  namespace: string;
  /** The tool's name on its own server. */
  original: string;
  definition: ToolDefinition;
}

export interface Routed<T> {
  server: ServerRow;
  definition: T;
}

/** The started servers attached to a resource: what its toolkit is made of. */
function startedServers(catalog: Catalog, resourceId: string): ServerRow[] {
  return catalog.servers.listByResource(resourceId).filter((server) => server.server_status === 'registered');
}

/**
 * The tools of a resource's toolkit: every synced, started server attached to it. Read fresh from
 * the catalog each time, so it always matches what `GET /v1/mcp/servers` shows.
 */
export function toolkitTools(catalog: Catalog, resourceId: string): ToolkitTool[] {
  // Only approved definitions are offered (a changed or new one waits for tools:approve), and names a
  // sync would now refuse stay hidden even if an older sync stored them.
  const tools = startedServers(catalog, resourceId).flatMap((server) =>
    offeredTools(catalog, server).map((definition) => ({
      namespace: server.process_type,
      name: definition.name,
      definition,
      label: `${server.app_name}/${server.process_type}`,
    })),
  );
  return [...exposedNames(tools)].map(([name, tool]) => ({
    name,
    namespace: tool.namespace,
    original: tool.name,
    definition: {
      ...tool.definition,
      name,
      // Clients and the conformance suite expect a description on every tool.
      description: typeof tool.definition.description === 'string' ? tool.definition.description : `${tool.name} (from ${tool.label})`,
    },
  }));
}

/** The tools of a server the toolkit, the agent loop and `procdock call` may offer. */
export function offeredTools(catalog: Catalog, server: ServerRow): ToolDefinition[] {
  return catalog.trust
    .tools(server)
    .filter((tool) => offered(tool.state) && !refusedName(tool.definition.name))
    .map((tool) => tool.definition);
}

type Resource = ServerPrimitives['resources'][number];
type Template = ServerPrimitives['templates'][number];
type Prompt = ServerPrimitives['prompts'][number];

/** Every resource of the toolkit's servers; a URI two servers list goes to the first. */
export function toolkitResources(catalog: Catalog, resourceId: string): Routed<Resource>[] {
  const seen = new Set<string>();
  return startedServers(catalog, resourceId)
    .flatMap((server) => catalog.servers.primitives(server.id, 'resource').map((definition) => ({ server, definition })))
    .filter(({ definition }) => !seen.has(definition.uri) && seen.add(definition.uri));
}

export function toolkitTemplates(catalog: Catalog, resourceId: string): Routed<Template>[] {
  return startedServers(catalog, resourceId).flatMap((server) =>
    catalog.servers.primitives(server.id, 'template').map((definition) => ({ server, definition })),
  );
}

/** The toolkit's prompts, named like its tools: their own name, or `<namespace>__<name>` on a clash. */
export function toolkitPrompts(catalog: Catalog, resourceId: string): (Routed<Prompt> & { name: string })[] {
  const prompts = startedServers(catalog, resourceId).flatMap((server) =>
    catalog.servers.primitives(server.id, 'prompt').map((definition) => ({
      server,
      definition,
      namespace: server.process_type,
      name: definition.name,
    })),
  );
  return [...exposedNames(prompts)].map(([name, prompt]) => ({ server: prompt.server, definition: prompt.definition, name }));
}

/** The server that can read a URI: one that lists it, else one whose template matches it. */
export function routeResource(catalog: Catalog, resourceId: string, uri: string): ServerRow | undefined {
  const listed = toolkitResources(catalog, resourceId).find((r) => r.definition.uri === uri);
  if (listed) return listed.server;
  return toolkitTemplates(catalog, resourceId).find((t) => templateMatches(t.definition.uriTemplate, uri))?.server;
}

/** Whether a URI fits an RFC 6570 template (levels 1–3, as MCP servers use them). */
export function templateMatches(template: string, uri: string): boolean {
  let pattern = '';
  let rest = template;
  for (let open = rest.indexOf('{'); open !== -1; open = rest.indexOf('{')) {
    pattern += escape(rest.slice(0, open));
    const close = rest.indexOf('}', open);
    if (close === -1) return false;
    const expression = rest.slice(open + 1, close);
    const operator = expression[0] ?? '';
    pattern += operator === '+' || operator === '#' ? '.*' : operator === '?' || operator === '&' ? '(?:[?&].*)?' : '[^/?#]*';
    rest = rest.slice(close + 1);
  }
  return new RegExp(`^${pattern}${escape(rest)}$`).test(uri);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
