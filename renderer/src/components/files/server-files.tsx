import { useEffect, useState } from 'react';
import type { ServerDetailView, VolumeView } from '../../../../src/shared/api';
import { useFiles } from '../../stores/files';
import { useServers } from '../../stores/servers';
import { GrantFolder } from './grant-folder';
import { lifetimeHint, lifetimeText } from './state-facts';

/** What a server keeps and sees: its lifetime, app volumes with sizes, granted folders, refusals. */
export function ServerFiles({ detail }: { detail: ServerDetailView }) {
  const { volumes, volumeErrors, loadVolumes } = useFiles();
  const siblings = useServers((s) => s.servers.filter((x) => x.app_id === detail.app_id).length);
  const app = detail.app_name;
  useEffect(() => {
    if (detail.volumes.length > 0) void loadVolumes(app);
  }, [app, detail.volumes.length, loadVolumes]);
  const idle = detail.settings.idle_seconds;
  return (
    <div className="server-files">
      <h3>State</h3>
      <p>
        <span className={`fact-chip ${detail.lifetime}`}>{lifetimeText(detail.lifetime)}</span>{' '}
        <span className="muted small">
          {lifetimeHint(detail.lifetime, typeof idle === 'number' ? idle : undefined)}
        </span>
      </p>
      <h3>App volumes</h3>
      <Volumes paths={detail.volumes} found={volumes[app]?.filter((v) => v.process_type === detail.process_type)} error={volumeErrors[app]} />
      <h3>Host folders</h3>
      <Folders detail={detail} />
      <GrantFolder app={app} processType={detail.process_type} siblings={siblings} />
      {detail.refused && detail.refused.length > 0 && (
        <>
          <h3>Refused by its last sync</h3>
          <ul className="plain-list">
            {detail.refused.map((r) => (
              <li key={`${r.kind}:${r.name}`}>
                <span className="mono strong">{r.name}</span> <span className="pill quiet">{r.kind}</span> <span className="muted small">{r.reason}</span>
              </li>
            ))}
          </ul>
        </>
      )}
      {detail.loosened && detail.loosened.length > 0 && (
        <>
          <h3>What procdock.json loosens</h3>
          <ul className="plain-list">
            {detail.loosened.map((words) => (
              <li key={words} className="loosened-line">
                {words}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

function Volumes({ paths, found, error }: { paths: string[]; found: VolumeView[] | undefined; error: string | undefined }) {
  if (paths.length === 0) {
    return (
      <p className="muted small">
        None. An app keeps files across calls by declaring a volume in its procdock.json: <code>{'{"servers": {"mcp-x": {"volumes": ["/data"]}}}'}</code>
      </p>
    );
  }
  return (
    <ul className="plain-list">
      {paths.map((path) => {
        const volume = found?.find((v) => v.container_path === path);
        return (
          <li key={path} className="volume-line">
            <span className="mono strong">{path}</span>{' '}
            <span className="muted small">
              {volume ? `${volume.name} · ${volume.size === undefined ? 'size unknown' : bytes(volume.size)}` : found ? 'created at its first call' : error ? '' : 'reading…'}
            </span>
          </li>
        );
      })}
      {error && <li className="inline-error">{error}</li>}
    </ul>
  );
}

function Folders({ detail }: { detail: ServerDetailView }) {
  const revoke = useFiles((s) => s.revoke);
  const [error, setError] = useState<string | undefined>();
  if (detail.mounts.length === 0) return <p className="muted small">None: it sees no file of yours.</p>;
  return (
    <ul className="plain-list">
      {detail.mounts.map((m) => (
        <li key={m.container_path} className="folder-line">
          <span className={`fact-chip folder${m.read_write ? ' writes' : ''}`}>{m.description}</span>
          <span className="muted small">{m.process_type ? `only ${m.process_type}` : `every server of ${m.app}`}</span>
          <button className="ghost small danger" onClick={() => void revoke(m.app, m.container_path).then(setError)}>
            Remove<span className="sr-only"> {m.container_path}</span>
          </button>
        </li>
      ))}
      {error && (
        <li className="inline-error" role="alert">
          {error}
        </li>
      )}
    </ul>
  );
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
