import { create } from 'zustand';
import { hub } from '../api/hub-client';

export interface ToolStep {
  id: string;
  name: string;
  args: string;
  result?: string;
  isError?: boolean;
}

export interface ChatEntry {
  role: 'user' | 'assistant';
  text: string;
  tools: ToolStep[];
}

interface Frame {
  object: string;
  choices: {
    delta?: { content?: string };
    message?: { content?: string | null; tool_calls?: { id: string; function: { name: string; arguments: string } }[]; tool_call_id?: string };
  }[];
}

interface ChatState {
  resource: string;
  tools: string[];
  entries: ChatEntry[];
  running: boolean;
  error: string | undefined;
  setResource(resource: string): void;
  toggleTool(name: string): void;
  send(text: string): Promise<void>;
  stop(): void;
  clear(): void;
}

let controller: AbortController | undefined;

/** The desktop chat: one conversation with a resource's model and the tools picked for it. */
export const useChat = create<ChatState>((set, get) => ({
  resource: 'default',
  tools: [],
  entries: [],
  running: false,
  error: undefined,
  setResource(resource) {
    set({ resource, tools: [] });
  },
  toggleTool(name) {
    const tools = get().tools;
    set({ tools: tools.includes(name) ? tools.filter((t) => t !== name) : [...tools, name] });
  },
  clear() {
    set({ entries: [], error: undefined });
  },
  stop() {
    controller?.abort();
  },
  async send(text) {
    const { resource, tools, entries } = get();
    const history = entries.filter((e) => e.text).map((e) => ({ role: e.role, content: e.text }));
    set({ entries: [...entries, { role: 'user', text, tools: [] }], running: true, error: undefined });
    const update = (change: (last: ChatEntry) => ChatEntry) =>
      set((state) => {
        const all = [...state.entries];
        const last = all.at(-1);
        if (last?.role !== 'assistant') all.push(change({ role: 'assistant', text: '', tools: [] }));
        else all[all.length - 1] = change(last);
        return { entries: all };
      });
    controller = new AbortController();
    try {
      await hub.stream(
        '/api/agent',
        {
          resource,
          messages: [...history, { role: 'user', content: text }],
          tools: tools.map((name) => ({ type: name.startsWith('code_exec_') ? 'heroku_tool' : 'mcp', name })),
        },
        (event, data) => {
          if (event === 'error') return set({ error: (JSON.parse(data) as { error: { message: string } }).error.message });
          if (event !== 'message') return;
          const frame = JSON.parse(data) as Frame;
          const choice = frame.choices[0];
          if (frame.object === 'chat.completion.chunk') {
            update((last) => ({ ...last, text: last.text + (choice?.delta?.content ?? '') }));
          } else if (frame.object === 'chat.completion') {
            const calls = choice?.message?.tool_calls ?? [];
            update((last) => ({
              ...last,
              text: choice?.message?.content ?? last.text,
              tools: [...last.tools, ...calls.map((c) => ({ id: c.id, name: c.function.name, args: c.function.arguments }))],
            }));
            if (calls.length) set((state) => ({ entries: [...state.entries, { role: 'assistant', text: '', tools: [] }] }));
          } else if (frame.object === 'tool.completion') {
            const raw = (choice?.message?.content ?? '').replace(/^Tool '.*?' returned result: /s, '');
            let result = raw;
            let isError = false;
            try {
              const parsed = JSON.parse(raw) as { content?: { text?: string; type: string }[]; isError?: boolean };
              result = (parsed.content ?? []).map((c) => c.text ?? `[${c.type}]`).join('\n');
              isError = parsed.isError === true;
            } catch {
              // Show it as it came.
            }
            set((state) => ({
              entries: state.entries.map((e) => ({
                ...e,
                tools: e.tools.map((t) => (t.id === choice?.message?.tool_call_id ? { ...t, result, isError } : t)),
              })),
            }));
          }
        },
        controller.signal,
      );
    } catch (error) {
      if (!controller.signal.aborted) set({ error: (error as Error).message });
    } finally {
      set((state) => ({ running: false, entries: state.entries.filter((e) => e.text || e.tools.length || e.role === 'user') }));
    }
  },
}));
