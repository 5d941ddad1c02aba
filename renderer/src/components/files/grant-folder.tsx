import { useState, type FormEvent } from 'react';
import { useFiles } from '../../stores/files';

/**
 * Grants a host folder to a server (or every server of its app): a path typed, or chosen with the
 * desktop app's folder picker. The hub refuses what must never be granted (the data dir, system
 * folders, an engine's socket) and the refusal shows here; nothing changes then.
 */
export function GrantFolder({ app, processType, siblings }: { app: string; processType: string; siblings: number }) {
  const { grant, canChoose, chooseFolder } = useFiles();
  const [hostPath, setHostPath] = useState('');
  const [containerPath, setContainerPath] = useState('');
  const [writable, setWritable] = useState(false);
  const [onlyThis, setOnlyThis] = useState(true);
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const pick = async () => {
    const chosen = await chooseFolder();
    if (!chosen) return;
    setHostPath(chosen);
    if (!containerPath) setContainerPath(`/${chosen.split(/[\\/]/).filter(Boolean).at(-1) ?? 'data'}`);
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const path = hostPath.trim();
    // The hub resolves paths against its own folder: only an absolute one means what the user sees.
    if (!/^(\/|[A-Za-z]:[\\/])/.test(path)) return setError(`${path || 'The host folder'}: type an absolute path, such as /home/you/notes`);
    setBusy(true);
    const failed = await grant(app, {
      host_path: path,
      container_path: containerPath.trim(),
      read_write: writable,
      ...(onlyThis && siblings > 1 ? { process: processType } : {}),
    });
    setBusy(false);
    setError(failed);
    if (!failed) {
      setHostPath('');
      setContainerPath('');
      setWritable(false);
    }
  };

  return (
    <form className="grant-folder" onSubmit={submit} aria-label={`Grant a folder to ${processType}`}>
      <div className="muted small">
        <strong className="grant-title">Grant a folder</strong> Read-only unless you let it write. Never granted: <code>/</code>, Procdock’s data dir,
        system folders, a container engine’s socket.
      </div>
      <div className="grant-row">
        <input aria-label="Host folder" className="mono grow" placeholder="/home/you/notes" value={hostPath} onChange={(e) => setHostPath(e.target.value)} />
        {canChoose && (
          <button type="button" className="ghost" onClick={() => void pick()}>
            Choose…
          </button>
        )}
        <span className="muted" aria-hidden>
          at
        </span>
        <input aria-label="Container path" className="mono container-path" placeholder="/notes" value={containerPath} onChange={(e) => setContainerPath(e.target.value)} />
      </div>
      <div className="grant-row">
        <label className="check-label">
          <input type="checkbox" checked={writable} onChange={(e) => setWritable(e.target.checked)} /> Let it write (read-only otherwise)
        </label>
        {siblings > 1 && (
          <label className="check-label">
            <input type="checkbox" checked={onlyThis} onChange={(e) => setOnlyThis(e.target.checked)} /> Only {processType} (else every server of {app})
          </label>
        )}
        <span className="grow" />
        <button type="submit" className="primary small" disabled={busy || !hostPath.trim() || !containerPath.trim()}>
          Grant folder
        </button>
      </div>
      {error && (
        <div className="inline-error" role="alert">
          {error}
        </div>
      )}
    </form>
  );
}
