import { useEffect, useState } from 'react';
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

  useEffect(() => {
    const refresh = () => {
      void refreshServers();
      void refreshCalls();
    };
    refresh();
    return hub.onDidChange(refresh, ({ app, line }) => showProgress(app, line));
  }, [refreshServers, refreshCalls, showProgress]);

  if (!hub.hasToken) {
    return (
      <main className="empty-page">
        <h1>Procdock</h1>
        <p>Open this page from <code>procdock serve --open</code>: the link carries the hub’s admin token.</p>
      </main>
    );
  }

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
