import { createHash } from 'node:crypto';

/** Longest tool name the toolkit exposes (the common limit of clients and model APIs). */
export const maxToolNameLength = 64;

export interface ToolRef {
  namespace: string;
  name: string;
}

/**
 * The names a resource's toolkit exposes: a tool keeps its own name while it is unique in the
 * resource; every tool of a clashing name becomes `<namespace>__<name>`. Names longer than 64
 * characters are shortened deterministically (a prefix plus a hash of the whole), so they are stable.
 */
export function exposedNames<T extends ToolRef>(tools: readonly T[]): Map<string, T> {
  const counts = new Map<string, number>();
  for (const tool of tools) counts.set(tool.name, (counts.get(tool.name) ?? 0) + 1);
  const exposed = new Map<string, T>();
  for (const tool of tools) {
    const unique = counts.get(tool.name) === 1;
    const name = shorten(unique ? tool.name : `${tool.namespace}__${tool.name}`);
    if (!exposed.has(name)) exposed.set(name, tool);
  }
  return exposed;
}

/**
 * Why a server may not offer a tool or prompt under this name, if it may not: a `/` is Heroku's
 * namespace separator, and `<mcp…>__<name>` is how the toolkit names another server's tool on a
 * clash. Either would let one server take calls meant for another.
 */
export function refusedName(name: string): string | undefined {
  if (name.includes('/')) return 'a name with "/" would pass for another server’s namespaced name';
  const separator = name.indexOf('__');
  if (separator > 0 && /^mcp[A-Za-z0-9_-]*$/.test(name.slice(0, separator))) {
    return `"${name.slice(0, separator)}__…" is how the toolkit names the tools of the server "${name.slice(0, separator)}"`;
  }
  return undefined;
}

export function shorten(name: string): string {
  if (name.length <= maxToolNameLength) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, maxToolNameLength - hash.length - 1)}_${hash}`;
}

/**
 * Finds the tool a user or model named: an exposed name, Heroku's `<namespace>/<name>`, or a bare
 * name that only one server offers. Returns the candidates when a bare name is ambiguous.
 */
export function resolveToolName<T extends ToolRef>(
  tools: readonly T[],
  wanted: string,
): { tool: T } | { ambiguous: string[] } | undefined {
  const exposed = exposedNames(tools);
  const direct = exposed.get(wanted);
  if (direct) return { tool: direct };
  const slash = wanted.indexOf('/');
  if (slash > 0) {
    const namespace = wanted.slice(0, slash);
    const name = wanted.slice(slash + 1);
    const tool = tools.find((t) => t.namespace === namespace && t.name === name);
    return tool && { tool };
  }
  const matches = [...exposed].filter(([, tool]) => tool.name === wanted);
  if (matches.length === 1 && matches[0]) return { tool: matches[0][1] };
  if (matches.length > 1) return { ambiguous: matches.map(([name]) => name) };
  return undefined;
}
