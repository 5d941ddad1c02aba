import { useEffect, useState, useSyncExternalStore } from 'react';
import { hub } from './api/hub-client';
import { CallsView } from './components/calls-view';
import { ChatView } from './components/chat-view';
import { ConnectView } from './components/connect-view';
import { ServersView } from './components/servers-view';
import { useCalls } from './stores/calls';
import { useServers } from './stores/servers';

type Tab = 'chat' | 'servers' | 'calls' | 'connect';

const tabs: { id: Tab; label: string }[] = [
  { id: 'chat', label: 'Chat' },
  { id: 'servers', label: 'Servers' },
  { id: 'calls', label: 'Calls' },
  { id: 'connect', label: 'Connect' },
];

export function App() {
  const [tab, setTab] = useState<Tab>('servers');
  const content = { chat: <ChatView />, servers: <ServersView />, calls: <CallsView />, connect: <ConnectView /> }[tab];
  const refreshServers = useServers((s) => s.refresh);
  const refreshCalls = useCalls((s) => s.refresh);
  const showProgress = useServers((s) => s.showProgress);
  const info = useServers((s) => s.info);

  const connected = useSyncExternalStore(
    (listener) => hub.onDidConnect(listener),
    () => hub.hasToken,
  );

  useEffect(() => {
    // Without the hub's token every API call would be refused: make none until a link brings it.
    if (!connected) return;
    const refresh = () => {
      void refreshServers();
      void refreshCalls();
    };
    refresh();
    return hub.onDidChange(refresh, ({ app, line }) => showProgress(app, line));
  }, [connected, refreshServers, refreshCalls, showProgress]);

  if (!connected) return <NoToken />;

  return (
    <div className="shell">
      <nav className="sidebar">
        <div className="brand">
          <span className="logo" aria-hidden>◆</span> Procdock
        </div>
        {tabs.map((t) => (
          <button key={t.id} className={t.id === tab ? 'nav active' : 'nav'} onClick={() => setTab(t.id)}>
            {t.label}
          </button>
        ))}
        <div className="sidebar-foot">
          {info && (
            <span className={info.sandbox.sandboxed ? 'badge ok' : 'badge warn'} title={info.sandbox.reason}>
              {info.sandbox.kind} sandbox{info.sandbox.sandboxed ? '' : ' · unsandboxed'}
            </span>
          )}
        </div>
      </nav>
      <main className="content">
        {content}
      </main>
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
        <span className="logo" aria-hidden>◆</span> Procdock
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
