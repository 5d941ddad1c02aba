import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useChat } from '../../stores/chat';
import { useModels } from '../../stores/models';
import { ConversationList } from './conversation-list';
import { Message } from './message';
import { Onboarding } from './onboarding';
import { ToolPicker } from './tool-picker';

/** The desktop chat: conversations on the left, the agent loop of a resource on the right. */
export function ChatView({ onOpenModels }: { onOpenModels: () => void }) {
  const { resource, entries, running, error, send, stop, setResource, preferUsable } = useChat();
  const { models, loaded } = useModels();
  const [draft, setDraft] = useState('');
  const bottom = useRef<HTMLDivElement>(null);
  const current = models.find((m) => m.name === resource);
  const usable = models.filter((m) => m.key_status !== 'missing');
  const onboarding = loaded && usable.length === 0;

  useEffect(() => {
    bottom.current?.scrollIntoView?.({ block: 'end' });
  }, [entries]);
  useEffect(() => {
    preferUsable(
      models.filter((m) => m.key_status !== 'missing').map((m) => m.name),
      models.filter((m) => m.key_status === 'missing').map((m) => m.name),
    );
  }, [models, preferUsable]);

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    const text = draft.trim();
    if (!text || running) return;
    setDraft('');
    // A message the chat could not send comes back to the box, with why above it.
    void send(text).then((sent) => !sent && setDraft(text));
  };
  const onKey = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      submit();
    }
  };

  return (
    <section className="chat-page">
      <ConversationList />
      <div className="chat">
        <header className="chat-bar">
          <label>
            <span className="muted">Model</span>
            <select aria-label="Model resource" value={resource} onChange={(e) => void setResource(e.target.value)} disabled={running}>
              {models.map((m) => (
                <option key={m.name} value={m.name}>
                  {m.name} · {m.model_id}
                  {m.key_status === 'missing' ? ' (no key)' : ''}
                </option>
              ))}
            </select>
          </label>
          <ToolPicker />
        </header>
        {onboarding ? (
          <div className="onboarding-wrap">
            <Onboarding onCreated={(name) => void setResource(name)} />
          </div>
        ) : (
          <>
            {current?.key_status === 'missing' && (
              <div className="notice warn" role="status">
                <strong>{current.name}</strong> has no API key{current.api_key_env ? ` ($${current.api_key_env} is not set for the hub)` : ''}. Pick another
                model above, or{' '}
                <button className="link" onClick={onOpenModels}>
                  set its key on the Models page
                </button>
                .
              </div>
            )}
            <div className="transcript" aria-live="polite" aria-label="Conversation">
              {entries.length === 0 && (
                <div className="empty-chat">
                  <h2>Ask anything</h2>
                  <p className="muted">Pick tools above to let the model use them: each call runs in a throwaway container.</p>
                </div>
              )}
              {entries.map((entry, i) => (
                <Message key={i} entry={entry} />
              ))}
              {running && entries.at(-1)?.role === 'user' && (
                <div className="typing" aria-label="The model is thinking">
                  <span />
                  <span />
                  <span />
                </div>
              )}
              {error && (
                <div className="notice error" role="alert">
                  {error}
                </div>
              )}
              <div ref={bottom} />
            </div>
          </>
        )}
        <form className="composer" onSubmit={submit} hidden={onboarding}>
          <textarea
            aria-label="Message"
            placeholder="Message the model… (Enter sends, Shift+Enter for a new line)"
            rows={Math.min(6, Math.max(1, draft.split('\n').length))}
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={onKey}
          />
          {running ? (
            <button type="button" className="stop" onClick={stop}>
              ■ Stop
            </button>
          ) : (
            <button type="submit" className="primary" disabled={!draft.trim()}>
              Send
            </button>
          )}
        </form>
      </div>
    </section>
  );
}
