import { describe, expect, it } from 'vitest';
import type { ToolkitToolView } from '../../../src/shared/api';
import { historyOf, readToolResult, toolLabel, type ChatEntry } from './chat-frames';

const toolkit: ToolkitToolView[] = [
  { name: 'echo', original: 'echo', namespace: 'mcp-everything', app_name: 'toolbox', annotations: {} },
  { name: 'mcp-a__read', original: 'read', namespace: 'mcp-a', app_name: 'one', annotations: {} },
];

describe('the chat’s frames', () => {
  it('shows the name the toolkit exposes, with its server, for Heroku’s namespaced names', () => {
    expect(toolLabel('mcp-everything/echo', toolkit)).toEqual({ name: 'echo', server: 'toolbox/mcp-everything' });
    expect(toolLabel('mcp-a/read', toolkit)).toEqual({ name: 'mcp-a__read', server: 'one/mcp-a' });
    expect(toolLabel('code_exec_node', toolkit)).toEqual({ name: 'code_exec_node' });
  });

  it('reads a tool result’s text and whether it failed', () => {
    expect(readToolResult(`Tool 'echo' returned result: {"content":[{"type":"text","text":"Echo: hi"}]}`)).toEqual({ text: 'Echo: hi', isError: false });
    expect(readToolResult(`Tool 'x' returned result: {"isError":true,"content":[{"type":"image"}]}`)).toEqual({ text: '[image]', isError: true });
  });

  it('sends the transcript back with every tool call answered, so the model remembers its tools', () => {
    const entries: ChatEntry[] = [
      { role: 'user', text: 'echo hi', tools: [] },
      {
        role: 'assistant',
        text: 'On it.',
        tools: [
          { id: 'c1', name: 'echo', args: '{"message":"hi"}', status: 'ok', result: 'Echo: hi' },
          { id: 'c2', name: 'slow', args: '', status: 'stopped' },
        ],
      },
      { role: 'assistant', text: 'Done.', tools: [] },
      { role: 'user', text: 'again?', tools: [] },
    ];
    expect(historyOf(entries)).toEqual([
      { role: 'user', content: 'echo hi' },
      {
        role: 'assistant',
        content: 'On it.',
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'echo', arguments: '{"message":"hi"}' } },
          { id: 'c2', type: 'function', function: { name: 'slow', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', content: "Tool 'echo' returned result: Echo: hi" },
      { role: 'tool', tool_call_id: 'c2', content: "Tool 'slow' returned result: (no result: the call was stopped)" },
      { role: 'assistant', content: 'Done.' },
      { role: 'user', content: 'again?' },
    ]);
  });
});
