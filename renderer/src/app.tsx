import { useEffect, useState, useSyncExternalStore } from 'react';
import { hub } from './api/hub-client';
import { ActivityView } from './components/activity/activity-view';
import { ChatView } from './components/chat/chat-view';
import { Icon } from './components/common/icons';
import { ModelsView } from './components/models/models-view';
import { ServersView } from './components/servers/servers-view';
import { ApprovalDialog } from './components/trust/approval-dialog';
import { useApprovals } from './stores/approvals';
import { useCalls } from './stores/calls';
import { useChat } from './stores/chat';
import { useModels } from './stores/models';
import { useServers } from './stores/servers';
import { useTrust } from './stores/trust';

type Page = 'chat' | 'servers' | 'models' | 'activity';

const pages: { id: Page; label: string }[] = [
  { id: 'chat', label: 'Chat' },
  { id: 'servers', label: 'Servers' },
  { id: 'models', label: 'Models' },
  { id: 'activity', label: 'Activity' },
];

/**
 * Follows the hub: every store refreshes on each change event while a token is at hand, and this
 * window shows the calls held for an answer (which makes it one the hub can ask).
 */
function useHubFollowing(connected: boolean): void {
  const refreshServers = useServers((s) => s.refresh);
  const showProgress = useServers((s) => s.showProgress);
  const refreshModels = useModels((s) => s.refresh);
  const refreshCalls = useCalls((s) => s.refresh);
  const loadConversations = useChat((s) => s.loadConversations);
  const loadToolkit = useChat((s) => s.loadToolkit);
  const refreshTrust = useTrust((s) => s.refresh);
  const refreshApprovals = useApprovals((s) => s.refresh);
  const receiveApproval = useApprovals((s) => s.receive);
  useEffect(() => {
    // Without the hub's token every API call would be refused: make none until a link brings it.
    if (!connected) return;
    const refresh = () => {
      void refreshServers();
      void refreshModels();
      void refreshCalls();
      void loadConversations();
      void loadToolkit();
      void refreshTrust();
      // A held call answered in another window, or timed out, ends as a change: drop it here too.
      void refreshApprovals();
    };
    refresh();
    return hub.follow({ onChange: refresh, onProgress: ({ app, line }) => showProgress(app, line), onApproval: receiveApproval });
  }, [connected, refreshServers, refreshModels, refreshCalls, loadConversations, loadToolkit, showProgress, refreshTrust, refreshApprovals, receiveApproval]);
}

export function App() {
  const [page, setPage] = useState<Page>('servers');
  const info = useServers((s) => s.info);
  const connected = useSyncExternalStore(
    (listener) => hub.onDidConnect(listener),
    () => hub.hasToken,
  );
  useHubFollowing(connected);

  if (!connected) return <NoToken />;
  const content = {
    chat: <ChatView onOpenModels={() => setPage('models')} />,
    servers: <ServersView />,
    models: <ModelsView />,
    activity: <ActivityView />,
  }[page];

  return (
    <div className="shell">
      <nav className="sidebar" aria-label="Pages">
        <div className="brand">
          <span className="logo" aria-hidden>
            ◆
          </span>{' '}
          <span className="brand-name">Procdock</span>
        </div>
        {pages.map((p) => (
          <button
            key={p.id}
            className={p.id === page ? 'nav active' : 'nav'}
            aria-current={p.id === page ? 'page' : undefined}
            // Its name stays when a narrow window hides the label and keeps only the icon.
            aria-label={p.label}
            title={p.label}
            onClick={() => setPage(p.id)}
          >
            <Icon name={p.id} />
            <span className="nav-label">{p.label}</span>
          </button>
        ))}
        <div className="sidebar-foot">
          {info && (
            <span className={info.sandbox.ready && info.sandbox.sandboxed ? 'badge ok' : 'badge warn'} title={info.sandbox.reason ?? info.sandbox.engine}>
              {info.sandbox.kind} sandbox{info.sandbox.sandboxed ? '' : ' · unsandboxed'}
              {info.sandbox.ready ? '' : ' · not ready'}
            </span>
          )}
          {info && <div className="muted small hub-url">{info.url.replace(/^http:\/\//, '')}</div>}
        </div>
      </nav>
      <main className="content" id="main">
        {content}
      </main>
      <ApprovalDialog />
    </div>
  );
}

/** Shown when the page was opened without the hub's token: what to run to open it with one. */
function NoToken() {
  const linkError = useSyncExternalStore(
    (listener) => hub.onDidConnect(listener),
    () => hub.linkError,
  );
  return (
    <main className="empty-page">
      <h1>
        <span className="logo" aria-hidden>
          ◆
        </span>{' '}
        Procdock
      </h1>
      {linkError && (
        <p className="notice error" role="alert">
          {linkError}
        </p>
      )}
      <p>This page needs the hub’s key. In a terminal, run</p>
      <pre className="command">procdock ui</pre>
      <p className="muted">
        It opens this page with a one-time link. Or paste the <code>UI:</code> link that <code>procdock serve</code> printed into the address bar:
        it works here without a reload.
      </p>
    </main>
  );
}
