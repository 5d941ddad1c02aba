import { useState } from 'react';
import { useServers } from '../stores/servers';

function Copyable({ text }: { text: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <span className="copyable">
      <code>{text}</code>
      <button
        className="ghost small"
        onClick={() => {
          void navigator.clipboard?.writeText(text).then(() => {
            setCopied(true);
            setTimeout(() => setCopied(false), 1500);
          });
        }}
      >
        {copied ? 'Copied' : 'Copy'}
      </button>
    </span>
  );
}

export function ConnectView() {
  const info = useServers((s) => s.info);
  if (!info) return null;
  return (
    <section>
      <header className="page-head">
        <h1>Connect</h1>
        <p className="muted">One URL for every MCP client. The bearer token is the model resource’s INFERENCE_KEY.</p>
      </header>
      <div className="card">
        <dl className="facts">
          <dt>Streamable HTTP</dt>
          <dd>
            <Copyable text={info.toolkit_url} />
          </dd>
          <dt>HTTP+SSE (older clients)</dt>
          <dd>
            <Copyable text={`${info.toolkit_url}/sse`} />
          </dd>
          <dt>INFERENCE_URL</dt>
          <dd>
            <Copyable text={info.inference_url} />
          </dd>
          <dt>Key</dt>
          <dd>
            <Copyable text="procdock key --resource default" />
          </dd>
        </dl>
      </div>
      <div className="card">
        <h2>Write a client’s config</h2>
        <p className="muted">Merges with what is there and keeps a backup of the old file.</p>
        <dl className="facts">
          <dt>Cursor</dt>
          <dd>
            <Copyable text="procdock connect cursor" />
          </dd>
          <dt>Claude Desktop</dt>
          <dd>
            <Copyable text="procdock connect claude" />
          </dd>
          <dt>VS Code (this project)</dt>
          <dd>
            <Copyable text="procdock connect vscode --project ." />
          </dd>
        </dl>
      </div>
    </section>
  );
}
