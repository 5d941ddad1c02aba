import { useState, type FormEvent } from 'react';
import type { ConversationSummary } from '../../../../src/shared/api';
import { useChat } from '../../stores/chat';

/** The conversations the hub keeps, newest first: open, rename, delete. */
export function ConversationList() {
  const { conversations, current, open, startNew } = useChat();
  return (
    <aside className="conversations" aria-label="Conversations">
      <button className="primary new-chat" onClick={startNew}>
        + New chat
      </button>
      {conversations.length === 0 && <p className="muted small">Your conversations are kept here.</p>}
      <ul>
        {conversations.map((c) => (
          <Conversation key={c.id} conversation={c} active={c.id === current} onOpen={() => void open(c.id)} />
        ))}
      </ul>
    </aside>
  );
}

function Conversation({ conversation, active, onOpen }: { conversation: ConversationSummary; active: boolean; onOpen: () => void }) {
  const { rename, remove } = useChat();
  const [editing, setEditing] = useState(false);
  const [title, setTitle] = useState(conversation.title);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (title.trim()) void rename(conversation.id, title.trim());
    setEditing(false);
  };
  if (editing) {
    return (
      <li className="conversation editing">
        <form onSubmit={submit}>
          <input
            aria-label="Conversation title"
            value={title}
            autoFocus
            onChange={(e) => setTitle(e.target.value)}
            onBlur={submit}
            onKeyDown={(e) => e.key === 'Escape' && setEditing(false)}
          />
        </form>
      </li>
    );
  }
  return (
    <li className={active ? 'conversation active' : 'conversation'}>
      <button className="conversation-open" aria-current={active ? 'true' : undefined} onClick={onOpen} title={conversation.title}>
        <span className="ellipsis">{conversation.title}</span>
        <span className="muted small">{new Date(conversation.updated_at).toLocaleString([], { dateStyle: 'short', timeStyle: 'short' })}</span>
      </button>
      <span className="conversation-actions">
        <button className="icon-button" aria-label={`Rename ${conversation.title}`} title="Rename" onClick={() => setEditing(true)}>
          ✎
        </button>
        <button className="icon-button" aria-label={`Delete ${conversation.title}`} title="Delete" onClick={() => void remove(conversation.id)}>
          ✕
        </button>
      </span>
    </li>
  );
}
