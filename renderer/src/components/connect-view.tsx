import { useServers } from '../stores/servers';

export function ConnectView() {
  const info = useServers((s) => s.info);
  if (!info) return null;
  return (
    <section>
      <header className="page-head">
        <h1>Connect</h1>
        <p className="muted">One URL for every MCP client. The bearer token is the resource’s INFERENCE_KEY.</p>
      </header>
      <div className="card">
        <dl className="facts">
          <dt>INFERENCE_URL</dt>
          <dd className="mono">{info.inference_url}</dd>
          <dt>Toolkit (Streamable HTTP)</dt>
          <dd className="mono">{info.toolkit_url}</dd>
          <dt>Key</dt>
          <dd className="mono">procdock key --resource default</dd>
        </dl>
      </div>
    </section>
  );
}
