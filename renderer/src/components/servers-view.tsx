import { useEffect, useState, type FormEvent } from 'react';
import type { DoctorCheck, ServerView } from '../../../src/shared/api';
import { useServers } from '../stores/servers';

export function ServersView() {
  const { apps, servers, loading, error, loadError, busy, progress, addApp, removeApp, sync, setRunning } = useServers();
  const building = apps.filter((a) => a.build_status === 'building');
  const [path, setPath] = useState('');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (path.trim() && (await addApp(path.trim()))) setPath('');
  };

  return (
    <section>
      <header className="page-head">
        <h1>Servers</h1>
        <p className="muted">Every <code>mcp*</code> process of your Procfile apps. Each tool call runs in a fresh sandbox.</p>
      </header>
      <form className="add-app" onSubmit={submit}>
        <input
          aria-label="App folder"
          placeholder="/path/to/an/app/with/a/Procfile"
          value={path}
          onChange={(e) => setPath(e.target.value)}
        />
        <button type="submit" disabled={!!busy || !path.trim()}>
          Add app
        </button>
      </form>
      {busy && <div className="notice">{busy}</div>}
      {building.map((app) => (
        <div key={app.id} className="notice build-progress" role="status">
          Building {app.name}: <span className="mono">{progress[app.name] ?? 'starting…'}</span>
        </div>
      ))}
      {[error, loadError].filter(Boolean).map((message) => (
        <div key={message} className="notice error" role="alert">
          {message}
        </div>
      ))}
      {loading ? (
        <p className="muted">Loading…</p>
      ) : apps.length === 0 ? (
        <EmptyState />
      ) : (
        apps.map((app) => (
          <article key={app.id} className="card">
            <div className="card-head">
              <div>
                <h2>
                  {app.name} <BuildBadge status={app.build_status} />
                </h2>
                <div className="muted mono">{app.path}</div>
                {app.image && <div className="muted mono small">{app.image}</div>}
              </div>
              <div className="actions">
                <span className="muted">{app.resources.length ? `attached to ${app.resources.join(', ')}` : 'not attached'}</span>
                <button className="ghost" onClick={() => void sync(app.name)} disabled={!!busy}>
                  Sync
                </button>
                <button className="ghost danger" onClick={() => void removeApp(app.name)} disabled={!!busy}>
                  Remove
                </button>
              </div>
            </div>
            {servers
              .filter((s) => s.app_id === app.id)
              .map((server) => (
                <ServerRow
                  key={server.id}
                  server={server}
                  busy={!!busy}
                  onToggle={() => void setRunning(app.name, server.process_type, server.server_status !== 'registered')}
                />
              ))}
            {app.build_error && <div className="server-error">Image build failed: {app.build_error}</div>}
            {app.skipped.length > 0 && (
              <div className="skipped muted">
                Skipped (not MCP): {app.skipped.map((s) => s.name).join(', ')}
              </div>
            )}
          </article>
        ))
      )}
    </section>
  );
}

function BuildBadge({ status }: { status: string }) {
  if (status === 'none') return null;
  const tone = status === 'built' ? 'synced' : status === 'error' ? 'error' : 'syncing';
  return <span className={`pill ${tone}`}>{status === 'built' ? 'image built' : status === 'error' ? 'build failed' : 'building…'}</span>;
}

function ServerRow({ server, busy, onToggle }: { server: ServerView; busy: boolean; onToggle: () => void }) {
  const [open, setOpen] = useState(false);
  const running = server.server_status === 'registered';
  return (
    <div className={running ? 'server' : 'server stopped'}>
      <div className="server-row">
        <button className="server-line" onClick={() => setOpen(!open)} aria-expanded={open}>
          <span className={`dot ${running ? server.primitives_status : 'stopped'}`} aria-hidden />
          <span className="mono strong">{server.process_type}</span>
          <span className="mono muted ellipsis">{server.process_command}</span>
          <span className={`pill ${server.primitives_status}`}>{server.primitives_status}</span>
          <span className="muted">{server.tools.length === 1 ? '1 tool' : `${server.tools.length} tools`}</span>
        </button>
        <label className="switch" title={running ? 'Running: calls are served, a warm container waits' : 'Stopped: calls are refused'}>
          <input type="checkbox" role="switch" aria-label={`${server.process_type} running`} checked={running} disabled={busy} onChange={onToggle} />
          <span>{running ? 'On' : 'Off'}</span>
        </label>
      </div>
      {server.primitives_error && <div className="server-error">{server.primitives_error}</div>}
      {open && (
        <ul className="tools">
          {server.tools.map((tool) => (
            <li key={tool.name}>
              <span className="mono strong">{tool.name}</span>
              <span className="muted">{tool.description?.split('\n')[0]}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** No apps yet: how to make one that works in a call container, and what the machine lacks. */
function EmptyState() {
  const { doctor, checkSetup } = useServers();
  useEffect(() => {
    void checkSetup();
  }, [checkSetup]);
  return (
    <div className="empty">
      <h2>No apps yet</h2>
      <p>An app is a folder with a <code>Procfile</code>. Its dependencies go into the app’s image when it is built, so calls need no network:</p>
      <pre className="command">
        {'npm init -y && npm install @modelcontextprotocol/server-memory\necho "mcp-memory: mcp-server-memory" > Procfile'}
      </pre>
      <p>Then add the folder above, or run <code>procdock apps:add .</code> in it.</p>
      {doctor && <SetupChecks checks={doctor} />}
    </div>
  );
}

function SetupChecks({ checks }: { checks: DoctorCheck[] }) {
  const mark = { ok: '✓', warn: '!', fail: '✗' } as const;
  return (
    <ul className="checks" aria-label="Setup checks">
      {checks.map((check) => (
        <li key={check.id} className={`check ${check.status}`}>
          <span className="mark" aria-hidden>
            {mark[check.status]}
          </span>
          <span className="strong">{check.label}</span> <span className="muted">{check.detail}</span>
          {check.fix && <div className="fix">{check.fix}</div>}
        </li>
      ))}
    </ul>
  );
}
