import { useState } from 'react';
import type { AppView } from '../../../../src/shared/api';
import { isStepOutput, stepLine } from '../../../../src/shared/build-lines';
import { useModels } from '../../stores/models';
import { useServers } from '../../stores/servers';
import { ApprovalPanel } from '../trust/approval-panel';
import { PinSwitch } from '../trust/pin-switch';
import { ServerRow } from './server-row';

/** One app: its build, its attachments, its servers. */
export function AppCard({ app }: { app: AppView }) {
  const { servers, busy, sync, removeApp, buildLog } = useServers();
  const [confirming, setConfirming] = useState(false);
  const log = buildLog[app.name] ?? [];
  const mine = servers.filter((s) => s.app_id === app.id);
  // A rebuild that failed leaves the servers that were serving on the image built before.
  const serving = !!app.image && mine.some((s) => s.primitives_status === 'synced');
  return (
    <article className="card" aria-labelledby={`app-${app.id}`}>
      <div className="card-head">
        <div className="grow">
          <h2 id={`app-${app.id}`}>
            {app.name} <BuildBadge status={app.build_status} />
          </h2>
          <div className="muted mono small">{app.path}</div>
          {app.image && <div className="muted mono small">image {app.image}</div>}
        </div>
        <div className="actions">
          <PinSwitch app={app.name} servers={mine} />
          <button className="ghost" onClick={() => void sync(app.name)} disabled={!!busy}>
            Sync
          </button>
          {confirming ? (
            <>
              <button className="danger" onClick={() => void removeApp(app.name)} disabled={!!busy}>
                Remove {app.name}
              </button>
              <button className="ghost" onClick={() => setConfirming(false)}>
                Keep
              </button>
            </>
          ) : (
            <button className="ghost danger" onClick={() => setConfirming(true)} disabled={!!busy}>
              Remove…
            </button>
          )}
        </div>
      </div>
      <AttachControls app={app} />
      <ApprovalPanel app={app.name} />
      {app.build_status === 'building' && (
        <div className="notice build-progress" role="status">
          <span className="spinner" aria-hidden /> Building {app.name}: <span className="mono">{buildStatusLine(log) ?? 'starting…'}</span>
        </div>
      )}
      {app.build_error && (
        <div className="server-error">
          <strong>The image did not build.</strong> {app.build_error}
          <div className="hint">
            {serving
              ? 'Its servers go on with the image built before. Fix the app (its Dockerfile or dependencies), then Sync to rebuild.'
              : 'Fix the app (its Dockerfile or dependencies), then Sync to rebuild.'}
          </div>
        </div>
      )}
      {log.length > 0 && (
        <details className="build-log">
          <summary>Build log ({log.length} lines)</summary>
          <pre className="mono">{log.join('\n')}</pre>
        </details>
      )}
      <div className="server-list">
        {mine.map((server) => (
          <ServerRow key={server.id} server={server} />
        ))}
      </div>
      {app.skipped.length > 0 && (
        <div className="skipped muted">
          Skipped (not MCP): {app.skipped.map((s) => `${s.name} (line ${s.line})`).join(', ')}
        </div>
      )}
    </article>
  );
}

/** Attaches the app to model resources, and detaches it; a refusal (a clash) shows right here. */
function AttachControls({ app }: { app: AppView }) {
  const models = useModels((s) => s.models);
  const { attach, detach, attachErrors } = useServers();
  const free = models.filter((m) => !app.resources.includes(m.name));
  const [choice, setChoice] = useState('');
  const target = free.some((m) => m.name === choice) ? choice : (free[0]?.name ?? '');
  const error = attachErrors[app.name];
  return (
    <div className="attach">
      <span className="muted">Attached to</span>
      {app.resources.length === 0 && <span className="muted">no resource: its tools are in no toolkit</span>}
      {app.resources.map((name) => (
        <span key={name} className="chip">
          {name}
          <button className="chip-x" aria-label={`Detach ${app.name} from ${name}`} title={`Detach from ${name}`} onClick={() => void detach(app.name, name)}>
            ×
          </button>
        </span>
      ))}
      {free.length > 0 && (
        <span className="attach-new">
          <select aria-label={`Resource to attach ${app.name} to`} value={target} onChange={(e) => setChoice(e.target.value)}>
            {free.map((m) => (
              <option key={m.name} value={m.name}>
                {m.name}
              </option>
            ))}
          </select>
          <button className="ghost small" onClick={() => void attach(app.name, target)}>
            Attach
          </button>
        </span>
      )}
      {error && (
        <div className="inline-error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}

function BuildBadge({ status }: { status: string }) {
  if (status === 'none') return null;
  const tone = status === 'built' ? 'synced' : status === 'error' ? 'error' : 'syncing';
  return <span className={`pill ${tone}`}>{status === 'built' ? 'image built' : status === 'error' ? 'build failed' : 'building…'}</span>;
}

/**
 * What a build is doing, in one line: its current step ("Step 3/5 : RUN npm install"), with the
 * step's latest output after it; Docker's own bookkeeping (" ---> 3f2a…", "Removing intermediate
 * container …") is left to the log.
 */
function buildStatusLine(log: string[]): string | undefined {
  const stepAt = log.findLastIndex((line) => stepLine.test(line));
  const said = log.slice(stepAt + 1).findLast(isStepOutput);
  if (stepAt === -1) return said ?? log.at(-1);
  return said ? `${log[stepAt]} — ${said.trim()}` : log[stepAt];
}
