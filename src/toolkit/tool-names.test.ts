import { describe, expect, it } from 'vitest';
import { exposedNames, maxToolNameLength, resolveToolName } from './tool-names.js';

const tools = [
  { namespace: 'mcp-a', name: 'search' },
  { namespace: 'mcp-b', name: 'search' },
  { namespace: 'mcp-a', name: 'read' },
];

describe('exposedNames', () => {
  it('keeps unique names and prefixes every tool of a clashing name with its namespace', () => {
    expect([...exposedNames(tools).keys()]).toEqual(['mcp-a__search', 'mcp-b__search', 'read']);
  });

  it('shortens long names to 64 characters, deterministically and distinctly', () => {
    const long = 'x'.repeat(70);
    const clash = [
      { namespace: 'mcp-one', name: long },
      { namespace: 'mcp-two', name: long },
    ];
    const first = [...exposedNames(clash).keys()];
    expect(first).toEqual([...exposedNames(clash).keys()]);
    expect(first.every((name) => name.length === maxToolNameLength)).toBe(true);
    expect(new Set(first).size).toBe(2);
  });
});

describe('resolveToolName', () => {
  it('finds exposed names, Heroku namespaced names and unique bare names', () => {
    expect(resolveToolName(tools, 'read')).toEqual({ tool: tools[2] });
    expect(resolveToolName(tools, 'mcp-b__search')).toEqual({ tool: tools[1] });
    expect(resolveToolName(tools, 'mcp-a/search')).toEqual({ tool: tools[0] });
  });

  it('reports an ambiguous bare name with the names to use instead', () => {
    expect(resolveToolName(tools, 'search')).toEqual({ ambiguous: ['mcp-a__search', 'mcp-b__search'] });
  });

  it('returns nothing for an unknown tool', () => {
    expect(resolveToolName(tools, 'write')).toBeUndefined();
    expect(resolveToolName(tools, 'mcp-c/search')).toBeUndefined();
  });
});
