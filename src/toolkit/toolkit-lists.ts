import type { Prompt, Resource, ResourceTemplate, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Catalog } from '../catalog/catalog.js';
import type { ServerRow } from '../catalog/servers-repository.js';
import type { ResolvedTool } from '../hub/tool-runner.js';
import { AppError } from '../shared/errors.js';
import { prepareJson } from './prepared-json.js';
import { templateMatches, toolkitPrompts, toolkitResources, toolkitTemplates, toolkitTools } from './toolkit-catalog.js';

/** What a session was last told of, per kind of list, to tell it of changes only when there are some. */
export interface ListFingerprints {
  tools: string;
  resources: string;
  prompts: string;
}

/** One resource's toolkit as its list requests answer it, prepared (and serialized) once per change. */
export interface ToolkitLists {
  /** Each exposed tool name and what it runs: the server and the tool's own name there. */
  tools: Map<string, ResolvedTool>;
  resources: ReturnType<typeof toolkitResources>;
  templates: ReturnType<typeof toolkitTemplates>;
  prompts: ReturnType<typeof toolkitPrompts>;
  answers: {
    tools: { tools: Tool[] };
    resources: { resources: Resource[] };
    templates: { resourceTemplates: ResourceTemplate[] };
    prompts: { prompts: Prompt[] };
  };
  fingerprints: ListFingerprints;
}

/**
 * The prepared lists of every resource that was asked for them. The owner calls `invalidate()` on
 * every change of the catalog that may change a toolkit (the changes that announce `list_changed`);
 * the next request prepares them anew.
 */
export class ToolkitListCache {
  private readonly prepared = new Map<string, ToolkitLists>();

  constructor(private readonly catalog: Catalog) {}

  /** The lists of a resource's toolkit; throws `not_found` when the resource is gone. */
  of(resourceName: string): ToolkitLists {
    let lists = this.prepared.get(resourceName);
    if (!lists) {
      const resource = this.catalog.models.findByName(resourceName);
      if (!resource) throw new AppError('not_found', `the model resource "${resourceName}" was removed`);
      lists = prepare(this.catalog, resource.id);
      this.prepared.set(resourceName, lists);
    }
    return lists;
  }

  /** What each list holds now; empty lists for a resource that is gone. */
  fingerprints(resourceName: string): ListFingerprints {
    try {
      return this.of(resourceName).fingerprints;
    } catch {
      return { tools: '', resources: '', prompts: '' };
    }
  }

  /** The server that can read a URI: one that lists it, else one whose template matches it. */
  routeResource(resourceName: string, uri: string): ServerRow | undefined {
    const lists = this.of(resourceName);
    const listed = lists.resources.find((r) => r.definition.uri === uri);
    return listed?.server ?? lists.templates.find((t) => templateMatches(t.definition.uriTemplate, uri))?.server;
  }

  invalidate(): void {
    this.prepared.clear();
  }
}

function prepare(catalog: Catalog, resourceId: string): ToolkitLists {
  const tools = toolkitTools(catalog, resourceId);
  // A process type names one server within a resource (attachments refuse clashes).
  const servers = new Map(catalog.servers.listByResource(resourceId).map((server) => [server.process_type, server]));
  const resolved = new Map<string, ResolvedTool>();
  for (const tool of tools) {
    const server = servers.get(tool.namespace);
    if (server) resolved.set(tool.name, { server, tool: tool.original });
  }
  const resources = toolkitResources(catalog, resourceId);
  const templates = toolkitTemplates(catalog, resourceId);
  const prompts = toolkitPrompts(catalog, resourceId);
  const answers = {
    tools: { tools: tools.map((tool) => tool.definition as Tool) },
    resources: { resources: resources.map((r) => r.definition as Resource) },
    templates: { resourceTemplates: templates.map((t) => t.definition as ResourceTemplate) },
    prompts: { prompts: prompts.map((p) => ({ ...p.definition, name: p.name }) as Prompt) },
  };
  return {
    tools: resolved,
    resources,
    templates,
    prompts,
    answers,
    fingerprints: {
      tools: prepareJson(answers.tools),
      resources: `${prepareJson(answers.resources)}${prepareJson(answers.templates)}`,
      prompts: prepareJson(answers.prompts),
    },
  };
}
