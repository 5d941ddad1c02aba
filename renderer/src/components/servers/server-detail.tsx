import { useState } from 'react';
import type { ServerDetailView } from '../../../../src/shared/api';
import { useServers } from '../../stores/servers';
import { Loading } from '../common/states';
import { ServerFiles } from '../files/server-files';
import { ConfigVars } from './config-vars';
import { ToolList } from './tool-list';

type Tab = 'tools' | 'resources' | 'prompts' | 'files' | 'sandbox' | 'config';

/** Everything about one server, in tabs. */
export function ServerDetail({ id, detailKey }: { id: string; detailKey: string }) {
  const detail = useServers((s) => s.details[detailKey]);
  const error = useServers((s) => s.detailErrors[detailKey]);
  const [tab, setTab] = useState<Tab>('tools');
  if (error) return <div className="server-error">{error}</div>;
  if (!detail) return <Loading what="details" />;
  const tabs: { id: Tab; label: string }[] = [
    { id: 'tools', label: `Tools (${detail.tools.length})` },
    { id: 'resources', label: `Resources (${detail.resources.length + detail.templates.length})` },
    { id: 'prompts', label: `Prompts (${detail.prompts.length})` },
    { id: 'files', label: `State and files${detail.mounts.length + detail.volumes.length ? ` (${detail.mounts.length + detail.volumes.length})` : ''}` },
    { id: 'sandbox', label: 'Sandbox' },
    { id: 'config', label: `Config vars (${detail.config_keys.length})` },
  ];
  return (
    <div className="server-detail" id={id}>
      <div className="tabs" role="tablist" aria-label={`${detail.process_type} details`}>
        {tabs.map((t) => (
          <button key={t.id} role="tab" aria-selected={tab === t.id} className={tab === t.id ? 'tab active' : 'tab'} onClick={() => setTab(t.id)}>
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" className="tab-panel">
        {tab === 'tools' && <ToolList detail={detail} />}
        {tab === 'resources' && <Resources detail={detail} />}
        {tab === 'prompts' && <Prompts detail={detail} />}
        {tab === 'files' && <ServerFiles detail={detail} />}
        {tab === 'sandbox' && <Sandbox detail={detail} />}
        {tab === 'config' && <ConfigVars app={detail.app_name} />}
      </div>
    </div>
  );
}

function Resources({ detail }: { detail: ServerDetailView }) {
  if (detail.resources.length + detail.templates.length === 0) return <p className="muted">This server lists no resources.</p>;
  return (
    <ul className="plain-list">
      {detail.resources.map((r) => (
        <li key={r.uri}>
          <span className="mono strong">{r.name ?? r.uri}</span> <span className="mono muted small">{r.uri}</span>
          {r.mimeType && <span className="pill quiet">{r.mimeType}</span>}
          {r.description && <div className="muted small">{r.description}</div>}
        </li>
      ))}
      {detail.templates.map((t) => (
        <li key={t.uriTemplate}>
          <span className="mono strong">{t.name ?? t.uriTemplate}</span> <span className="mono muted small">{t.uriTemplate}</span>
          <span className="pill quiet">template</span>
          {t.description && <div className="muted small">{t.description}</div>}
        </li>
      ))}
    </ul>
  );
}

function Prompts({ detail }: { detail: ServerDetailView }) {
  if (detail.prompts.length === 0) return <p className="muted">This server offers no prompts.</p>;
  return (
    <ul className="plain-list">
      {detail.prompts.map((p) => (
        <li key={p.name}>
          <span className="mono strong">{p.name}</span>
          {p.arguments?.length ? (
            <span className="muted small"> ({p.arguments.map((a) => `${a.name}${a.required ? '' : '?'}`).join(', ')})</span>
          ) : null}
          {p.description && <div className="muted small">{p.description}</div>}
        </li>
      ))}
    </ul>
  );
}

const settingLabels: Record<string, [string, (v: unknown) => string]> = {
  network: ['Network', (v) => (v === 'none' ? 'none (no network)' : String(v))],
  read_only: ['Root filesystem', (v) => (v ? 'read-only, /tmp writable' : 'writable')],
  memory_mb: ['Memory', (v) => `${String(v)} MiB, no swap`],
  cpus: ['CPUs', (v) => String(v)],
  ttl_seconds: ['Time to live', (v) => `${String(v)} s per call`],
  pool: ['Warm containers', (v) => String(v)],
};

function Sandbox({ detail }: { detail: ServerDetailView }) {
  const loosened = Object.keys(detail.changed_settings);
  return (
    <div>
      {!detail.sandbox.sandboxed && <div className="notice warn">Unsandboxed: this hub runs servers as plain processes ({detail.sandbox.kind}).</div>}
      <table className="settings">
        <tbody>
          {Object.entries(settingLabels).map(([key, [label, show]]) => {
            const value = detail.settings[key];
            const changed = detail.changed_settings[key];
            return (
              <tr key={key} className={changed ? 'loosened' : undefined}>
                <th scope="row">{label}</th>
                <td>
                  {show(value)}
                  {changed && <span className="pill warn-pill">procdock.json: {show(changed[0])} → {show(changed[1])}</span>}
                </td>
              </tr>
            );
          })}
          <tr>
            <th scope="row">Always</th>
            <td className="muted">all capabilities dropped, no-new-privileges, user 1000:1000, 256 processes</td>
          </tr>
        </tbody>
      </table>
      <p className="muted small">
        {loosened.length
          ? `The app’s procdock.json loosens ${loosened.join(', ')} for this server.`
          : 'Procdock’s defaults: the app’s procdock.json changes nothing for this server.'}{' '}
        Image: <span className="mono">{detail.image ?? 'not built'}</span>. Attached to {detail.resources_attached.join(', ') || 'no resource'}.
      </p>
      {detail.server_info?.name && (
        <p className="muted small">
          Says it is <span className="mono">{detail.server_info.name}</span> {detail.server_info.version ?? ''}
          {detail.synced_at ? `, synced ${new Date(detail.synced_at).toLocaleString()}` : ''}.
        </p>
      )}
    </div>
  );
}
