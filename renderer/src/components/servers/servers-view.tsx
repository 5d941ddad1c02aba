import { useEffect, useState, type FormEvent } from 'react';
import type { DoctorCheck } from '../../../../src/shared/api';
import { useServers } from '../../stores/servers';
import { useTrust } from '../../stores/trust';
import { ErrorNotice, Loading } from '../common/states';
import { DefaultPolicy } from '../trust/policy-select';
import { AppCard } from './app-card';

export function ServersView() {
  const { apps, loading, error, loadError, busy, addApp } = useServers();
  const [path, setPath] = useState('');
  const { defaultPolicy, loadPolicies } = useTrust();
  const first = apps[0]?.name;
  useEffect(() => {
    // The hub-wide default comes with any app's policies.
    if (first && !defaultPolicy) void loadPolicies(first);
  }, [first, defaultPolicy, loadPolicies]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (path.trim() && (await addApp(path.trim()))) setPath('');
  };

  return (
    <section>
      <header className="page-head row">
        <div>
          <h1>Servers</h1>
          <p className="muted">
            Every <code>mcp*</code> process of your Procfile apps. Each tool call runs in a fresh sandbox.
          </p>
        </div>
        <DefaultPolicy />
      </header>
      <form className="add-app" onSubmit={submit}>
        <input aria-label="App folder" placeholder="/path/to/an/app/with/a/Procfile" value={path} onChange={(e) => setPath(e.target.value)} />
        <button type="submit" className="primary" disabled={!!busy || !path.trim()}>
          Add app
        </button>
      </form>
      {busy && (
        <div className="notice">
          <span className="spinner" aria-hidden /> {busy}
        </div>
      )}
      <ErrorNotice message={error} />
      <ErrorNotice message={loadError} />
      {loading ? <Loading what="apps" /> : apps.length === 0 ? <EmptyState /> : apps.map((app) => <AppCard key={app.id} app={app} />)}
    </section>
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
      <p>
        An app is a folder with a <code>Procfile</code>. Its dependencies go into the app’s image when it is built, so calls need no network:
      </p>
      <pre className="command">
        {[
          'npm init -y && npm install @modelcontextprotocol/server-memory',
          'echo "mcp-memory: MEMORY_FILE_PATH=/data/memory.jsonl mcp-server-memory" > Procfile',
          `echo '{"servers": {"mcp-memory": {"volumes": ["/data"]}}}' > procdock.json`,
        ].join('\n')}
      </pre>
      <p>
        Then add the folder above, or run <code>procdock apps:add .</code> in it. Each call starts a fresh container; the volume at <code>/data</code> keeps
        the memory graph between calls.
      </p>
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
