import type { ToolkitToolView } from '../../../src/shared/api';

/** One tool call of a chat turn, as its card shows it. */
export interface ToolStep {
  id: string;
  /** The name the toolkit exposes (or a built-in's name). */
  name: string;
  /** `app/process` of the server it ran on; none for built-ins. */
  server?: string;
  args: string;
  status: 'running' | 'ok' | 'error' | 'stopped';
  result?: string;
  /** Wall time from the model's request to the result, as the chat saw it. */
  ms?: number;
  startedAt?: number;
}

export interface ChatEntry {
  role: 'user' | 'assistant';
  text: string;
  tools: ToolStep[];
}

/** A frame of the agent loop, loosely: only what the chat reads. */
export interface Frame {
  object: string;
  choices: {
    delta?: { content?: string };
    message?: { content?: string | null; tool_calls?: { id: string; function: { name: string; arguments: string } }[]; tool_call_id?: string };
  }[];
}

/**
 * The agent loop names MCP tools Heroku's way (`<process>/<tool>`); the chat shows the name the
 * toolkit exposes, with the server beside it, like every other page.
 */
export function toolLabel(frameName: string, toolkit: ToolkitToolView[]): { name: string; server?: string } {
  const slash = frameName.indexOf('/');
  const found =
    slash > 0
      ? toolkit.find((t) => t.namespace === frameName.slice(0, slash) && t.original === frameName.slice(slash + 1))
      : toolkit.find((t) => t.name === frameName);
  if (!found) return { name: frameName };
  return { name: found.name, server: `${found.app_name}/${found.namespace}` };
}

/** The text of a tool result (`Tool 'x' returned result: {CallToolResult}`), and whether it failed. */
export function readToolResult(content: string): { text: string; isError: boolean } {
  const raw = content.replace(/^Tool '.*?' returned result: /s, '');
  try {
    const parsed = JSON.parse(raw) as { content?: { text?: string; type: string }[]; isError?: boolean };
    return { text: (parsed.content ?? []).map((c) => c.text ?? `[${c.type}]`).join('\n'), isError: parsed.isError === true };
  } catch {
    return { text: raw, isError: false };
  }
}

type HistoryMessage =
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string | null; tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[] }
  | { role: 'tool'; tool_call_id: string; content: string };

/**
 * The transcript as the agent loop's `messages`: each turn's text, its tool calls and their results,
 * so the model remembers what its tools returned. A call stopped before its result still gets an
 * answer, as providers require one per call.
 */
export function historyOf(entries: ChatEntry[]): HistoryMessage[] {
  return entries.flatMap((entry): HistoryMessage[] => {
    if (entry.role === 'user') return [{ role: 'user', content: entry.text }];
    if (entry.tools.length === 0) return entry.text ? [{ role: 'assistant', content: entry.text }] : [];
    return [
      {
        role: 'assistant',
        content: entry.text || null,
        tool_calls: entry.tools.map((t) => ({ id: t.id, type: 'function', function: { name: t.name, arguments: t.args || '{}' } })),
      },
      ...entry.tools.map((t): HistoryMessage => ({
        role: 'tool',
        tool_call_id: t.id,
        content: `Tool '${t.name}' returned result: ${t.result ?? `(no result: the call was ${t.status === 'running' ? 'still running' : t.status})`}`,
      })),
    ];
  });
}
