import { useCalls } from '../stores/calls';

function ms(value: number | undefined): string {
  if (value === undefined) return '–';
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`;
}

export function CallsView() {
  const calls = useCalls((s) => s.calls);
  return (
    <section>
      <header className="page-head">
        <h1>Calls</h1>
        <p className="muted">Each call, where it ran and how long each phase took.</p>
      </header>
      {calls.length === 0 ? (
        <div className="empty">
          <h2>No calls yet</h2>
          <p>
            Try <code>procdock call echo --args {'{"message":"hi"}'}</code>, or point a client at the toolkit.
          </p>
        </div>
      ) : (
        <table className="calls">
          <thead>
            <tr>
              <th>Started</th>
              <th>Tool</th>
              <th>Server</th>
              <th>Status</th>
              <th>Where</th>
              <th className="num">Start</th>
              <th className="num">Init</th>
              <th className="num">Run</th>
              <th className="num">Total</th>
            </tr>
          </thead>
          <tbody>
            {calls.map((c) => (
              <tr key={c.id} title={c.error ?? undefined}>
                <td className="muted">{new Date(c.started_at).toLocaleTimeString()}</td>
                <td className="mono strong">{c.tool}</td>
                <td className="mono">{`${c.app_name}/${c.process_type}`}</td>
                <td>
                  <span className={`pill ${c.status === 'ok' ? 'synced' : c.status === 'error' ? 'error' : 'syncing'}`}>{c.status}</span>
                </td>
                <td className="muted">
                  {c.sandbox}
                  {c.warm ? <span className="pill synced small">warm</span> : null}
                </td>
                <td className="num">{ms(c.timings?.start_ms)}</td>
                <td className="num">{ms(c.timings?.init_ms)}</td>
                <td className="num">{ms(c.timings?.run_ms)}</td>
                <td className="num strong">{ms(c.timings?.total_ms)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
