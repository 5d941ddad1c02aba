import { create } from 'zustand';
import type { BuiltinToolView, ConversationSummary, ToolkitToolView } from '../../../src/shared/api';
import { hub } from '../api/hub-client';
import { historyOf, readToolResult, toolLabel, type ChatEntry, type Frame, type ToolStep } from './chat-frames';
import { attempt } from './run-action';

export type { ChatEntry, ToolStep } from './chat-frames';

/** What dyno_run_command runs: a command of one app attached to the resource. */
export interface DynoCommand {
  app: string;
  cmd: string;
}

interface ChatState {
  conversations: ConversationSummary[];
  /** The conversation shown; none until its first message is saved. */
  current: string | undefined;
  resource: string;
  /** The toolkit of the resource: every tool the model may be given. */
  toolkit: ToolkitToolView[];
  /** The built-in tools (heroku_tool) the hub offers beside the toolkit's. */
  builtins: BuiltinToolView[];
  tools: string[];
  /** The app and command dyno_run_command runs, when it is picked. */
  dyno: DynoCommand;
  entries: ChatEntry[];
  running: boolean;
  error: string | undefined;
  loadConversations(): Promise<void>;
  open(id: string): Promise<void>;
  startNew(): void;
  rename(id: string, title: string): Promise<void>;
  remove(id: string): Promise<void>;
  setResource(resource: string): Promise<void>;
  /** Until the user picks one, moves off a resource that has no key to one that can answer. */
  preferUsable(usable: string[], missing: string[]): void;
  loadToolkit(): Promise<void>;
  setTools(tools: string[]): void;
  setDyno(dyno: DynoCommand): void;
  /** Sends a message; false when it was not sent (the picked tools lack something), with why in `error`. */
  send(text: string): Promise<boolean>;
  stop(): void;
}

let controller: AbortController | undefined;
/** Whether the user chose the resource (or opened a conversation that did). */
let chosen = false;

/** The desktop chat: conversations kept by the hub, each with a resource's model and the tools picked for it. */
export const useChat = create<ChatState>((set, get) => {
  const fail = (error: string | undefined) => error && set({ error });
  const save = async (): Promise<string | undefined> => {
    const { current, resource, tools, entries } = get();
    if (entries.length === 0) return current;
    const saved = await hub.run('conversations.save', { ...(current ? { id: current } : {}), resource, tools, entries });
    // A conversation the user left while it ran stays where it is.
    if (get().current === current) set({ current: saved.id });
    await get().loadConversations();
    return saved.id;
  };
  const patchTools = (change: (step: ToolStep) => ToolStep) =>
    set((state) => ({ entries: state.entries.map((e) => ({ ...e, tools: e.tools.map(change) })) }));
  const onFrame = (event: string, data: string) => {
    if (event === 'error') return set({ error: (JSON.parse(data) as { error: { message: string } }).error.message });
    if (event !== 'message') return;
    const frame = JSON.parse(data) as Frame;
    const choice = frame.choices[0];
    const update = (change: (last: ChatEntry) => ChatEntry) =>
      set((state) => {
        const all = [...state.entries];
        const last = all.at(-1);
        if (last?.role !== 'assistant') all.push(change({ role: 'assistant', text: '', tools: [] }));
        else all[all.length - 1] = change(last);
        return { entries: all };
      });
    if (frame.object === 'chat.completion.chunk') {
      update((last) => ({ ...last, text: last.text + (choice?.delta?.content ?? '') }));
    } else if (frame.object === 'chat.completion') {
      const calls = choice?.message?.tool_calls ?? [];
      const steps = calls.map((c): ToolStep => ({
        id: c.id,
        ...toolLabel(c.function.name, get().toolkit),
        args: c.function.arguments,
        status: 'running',
        startedAt: Date.now(),
      }));
      update((last) => ({ ...last, text: choice?.message?.content ?? last.text, tools: [...last.tools, ...steps] }));
      if (calls.length) set((state) => ({ entries: [...state.entries, { role: 'assistant', text: '', tools: [] }] }));
    } else if (frame.object === 'tool.completion') {
      const { text, isError } = readToolResult(choice?.message?.content ?? '');
      patchTools((t) =>
        t.id === choice?.message?.tool_call_id
          ? { ...t, result: text, status: isError ? 'error' : 'ok', ...(t.startedAt ? { ms: Date.now() - t.startedAt } : {}) }
          : t,
      );
    }
  };
  return {
    conversations: [],
    current: undefined,
    resource: 'default',
    toolkit: [],
    builtins: [],
    tools: [],
    dyno: { app: '', cmd: '' },
    entries: [],
    running: false,
    error: undefined,
    async loadConversations() {
      fail(await attempt(async () => set({ conversations: await hub.run('conversations.list', {}) })));
    },
    async open(id) {
      if (get().running) get().stop();
      fail(
        await attempt(async () => {
          const found = await hub.run('conversations.get', { id });
          chosen = true;
          set({ current: found.id, resource: found.resource, tools: found.tools, entries: found.entries as ChatEntry[], error: undefined });
          await get().loadToolkit();
        }),
      );
    },
    startNew() {
      if (get().running) get().stop();
      set({ current: undefined, entries: [], error: undefined });
    },
    async rename(id, title) {
      fail(await attempt(() => hub.run('conversations.rename', { id, title })));
      await get().loadConversations();
    },
    async remove(id) {
      fail(await attempt(() => hub.run('conversations.remove', { id })));
      if (get().current === id) get().startNew();
      await get().loadConversations();
    },
    preferUsable(usable, missing) {
      const first = usable[0];
      if (chosen || !first || !missing.includes(get().resource)) return;
      set({ resource: first, tools: [] });
      void get().loadToolkit();
    },
    async setResource(resource) {
      chosen = true;
      set({ resource, tools: [] });
      await get().loadToolkit();
    },
    async loadToolkit() {
      const resource = get().resource;
      fail(
        await attempt(async () => {
          const [toolkit, builtins] = await Promise.all([hub.run('toolkit.tools', { resource }), get().builtins.length ? get().builtins : hub.run('toolkit.builtins', {})]);
          set({ builtins });
          if (get().resource === resource) set({ toolkit });
        }),
      );
    },
    setTools(tools) {
      set({ tools });
    },
    setDyno(dyno) {
      set({ dyno });
    },
    stop() {
      controller?.abort();
    },
    async send(text) {
      const { entries } = get();
      const planned = plannedTools(get());
      if (typeof planned === 'string') {
        set({ error: planned });
        return false;
      }
      set({ entries: [...entries, { role: 'user', text, tools: [] }], running: true, error: undefined });
      controller = new AbortController();
      try {
        // Saved first: the conversation is the client session of its session-lifetime servers.
        const conversation = await save();
        await hub.stream(
          '/api/agent',
          { resource: get().resource, conversation, messages: historyOf([...entries, { role: 'user', text, tools: [] }]), tools: planned },
          onFrame,
          controller.signal,
        );
      } catch (error) {
        if (!controller.signal.aborted) set({ error: (error as Error).message });
      } finally {
        patchTools((t) => (t.status === 'running' ? { ...t, status: 'stopped' } : t));
        set((state) => ({ running: false, entries: state.entries.filter((e) => e.text || e.tools.length || e.role === 'user') }));
        fail(await attempt(save));
      }
      return true;
    },
  };
});

/**
 * The tools of the agent request: the picked ones the toolkit still exposes and the built-ins;
 * a message instead when dyno_run_command lacks its app or command.
 */
function plannedTools({ tools, toolkit, builtins, dyno }: Pick<ChatState, 'tools' | 'toolkit' | 'builtins' | 'dyno'>): unknown[] | string {
  const exposed = new Set(toolkit.map((t) => t.name));
  const builtin = new Map(builtins.map((b) => [b.name, b]));
  const planned: unknown[] = [];
  for (const name of tools) {
    if (builtin.get(name)?.needs_app) {
      if (!dyno.app || !dyno.cmd.trim()) return `${name} runs a command of an app: pick the app and type the command under Tools.`;
      planned.push({ type: 'heroku_tool', name, runtime_params: { target_app_name: dyno.app, tool_params: { cmd: dyno.cmd.trim() } } });
    } else if (builtin.has(name)) planned.push({ type: 'heroku_tool', name });
    else if (exposed.has(name)) planned.push({ type: 'mcp', name });
  }
  return planned;
}
