import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useChat, type ChatEntry } from '../stores/chat';
import { useServers } from '../stores/servers';

const builtins = ['code_exec_node'];

export function ChatView() {
  const { resource, tools, entries, running, error, toggleTool, send, stop, clear, setResource } = useChat();
  const servers = useServers((s) => s.servers);
  const models = useServers((s) => s.models);
  const attached = new Set(models.find((m) => m.name === resource)?.apps ?? []);
  const [draft, setDraft] = useState('');
  const bottom = useRef<HTMLDivElement>(null);
  const available = [
    ...new Set(servers.filter((s) => s.server_status === 'registered' && attached.has(s.app_name)).flatMap((s) => s.tools.map((t) => t.namespaced_name))),
  ];

  useEffect(() => {
    bottom.current?.scrollIntoView?.({ block: 'end' });
  }, [entries]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!draft.trim() || running) return;
    void send(draft.trim());
    setDraft('');
  };

  return (
    <section className="chat">
      <header className="page-head">
        <h1>Chat</h1>
        <p className="muted">The agent loop of a model resource: the model calls the tools you pick, each in a throwaway container.</p>
      </header>
      <div className="chat-bar">
        <label>
          Model resource{' '}
          <select aria-label="Model resource" value={resource} onChange={(e) => setResource(e.target.value)} disabled={running}>
            {models.map((m) => (
              <option key={m.name} value={m.name}>
                {m.name} · {m.model_id}
              </option>
            ))}
          </select>
        </label>
      </div>
      <details className="tool-picker">
        <summary>
          Tools <span className="muted">({tools.length} picked)</span>
        </summary>
        <div className="tool-grid">
          {[...builtins, ...available].map((name) => (
            <label key={name} className="tool-option">
              <input type="checkbox" checked={tools.includes(name)} onChange={() => toggleTool(name)} />
              <span className="mono">{name}</span>
            </label>
          ))}
        </div>
      </details>
      <div className="transcript" aria-live="polite">
        {entries.length === 0 && <p className="muted empty-chat">Ask something. Pick tools above to let the model use them.</p>}
        {entries.map((entry, i) => (
          <Entry key={i} entry={entry} />
        ))}
        {error && (
          <div className="notice error" role="alert">
            {error}
          </div>
        )}
        <div ref={bottom} />
      </div>
      <form className="composer" onSubmit={submit}>
        <input aria-label="Message" placeholder="Message the model…" value={draft} onChange={(e) => setDraft(e.target.value)} disabled={running} />
        {running ? (
          <button type="button" className="ghost" onClick={stop}>
            Stop
          </button>
        ) : (
          <button type="submit" disabled={!draft.trim()}>
            Send
          </button>
        )}
        <button type="button" className="ghost" onClick={clear} disabled={running || entries.length === 0}>
          Clear
        </button>
      </form>
    </section>
  );
}

function Entry({ entry }: { entry: ChatEntry }) {
  return (
    <div className={`bubble ${entry.role}`}>
      {entry.text && <div className="bubble-text">{entry.text}</div>}
      {entry.tools.map((tool) => (
        <div key={tool.id} className={`tool-step${tool.isError ? ' failed' : ''}`}>
          <div className="mono strong">→ {tool.name}</div>
          <pre className="mono">{tool.args}</pre>
          {tool.result === undefined ? <div className="muted">running…</div> : <pre className="mono result">{tool.result}</pre>}
        </div>
      ))}
    </div>
  );
}
