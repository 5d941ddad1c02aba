import { useState } from 'react';
import type { ServerView } from '../../../../src/shared/api';
import { serverKey, useServers } from '../../stores/servers';
import { StateFacts } from '../files/state-facts';
import { ServerDetail } from './server-detail';

/** A server's line: status, switch, and its details when opened. */
export function ServerRow({ server }: { server: ServerView }) {
  const { busy, setRunning, loadDetail } = useServers();
  const [open, setOpen] = useState(false);
  const inError = server.primitives_status === 'error';
  const running = server.server_status === 'registered';
  // A server in error serves nothing, whatever it was switched to: its switch says so.
  const on = running && !inError;
  const count = server.tools.length;
  const toggleOpen = () => {
    if (!open) void loadDetail(server.app_name, server.process_type);
    setOpen(!open);
  };
  const state = inError ? 'error' : !running ? 'stopped' : server.primitives_status;
  return (
    <div className={`server ${state}`}>
      <div className="server-row">
        <button className="server-line" onClick={toggleOpen} aria-expanded={open} aria-controls={`detail-${server.id}`}>
          <span className={`chevron${open ? ' open' : ''}`} aria-hidden>
            ›
          </span>
          <span className={`dot ${state}`} aria-hidden />
          <span className="mono strong">{server.process_type}</span>
          <span className="mono muted ellipsis command">{server.process_command}</span>
          <span className={`pill ${state === 'stopped' ? 'stopped' : server.primitives_status}`}>
            {state === 'stopped' ? 'stopped' : server.primitives_status}
          </span>
          <span className="muted count">{count === 1 ? '1 tool' : `${count} tools`}</span>
        </button>
        <label
          className="switch"
          title={inError ? 'In error: fix it, then Sync' : running ? 'On: calls are served, a warm container waits' : 'Off: calls are refused'}
        >
          <input
            type="checkbox"
            role="switch"
            aria-label={`${server.process_type} running`}
            checked={on}
            // Disabling it while busy would drop a keyboard user's focus: ignore the press instead.
            disabled={inError}
            aria-busy={!!busy}
            onChange={() => !busy && void setRunning(server.app_name, server.process_type, !running)}
          />
          <span>{on ? 'On' : 'Off'}</span>
        </label>
      </div>
      <StateFacts server={server} />
      {server.primitives_error && (
        <div className="server-error">
          {server.primitives_error}
          <div className="hint">{hintFor(server.primitives_error)}</div>
        </div>
      )}
      {open && <ServerDetail id={`detail-${server.id}`} detailKey={serverKey(server.app_name, server.process_type)} />}
    </div>
  );
}

/** What to do about a server's error, from what it says. */
function hintFor(error: string): string {
  if (/no Docker engine/i.test(error)) return 'Start Docker (or point DOCKER_HOST at an engine); Procdock picks it up by itself.';
  if (/image did not build/i.test(error)) return 'Fix the build (see the build log), then Sync.';
  if (/timed out|did not answer|initialize/i.test(error)) return 'Check that the Procfile command starts an MCP server on stdio, then Sync.';
  return 'Fix the app or its Procfile line, then Sync to try again.';
}
