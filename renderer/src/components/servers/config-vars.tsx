import { useEffect, useState, type FormEvent } from 'react';
import { useServers } from '../../stores/servers';
import { Loading } from '../common/states';

/** An app's config vars: names shown, values hidden until revealed, one at a time. */
export function ConfigVars({ app }: { app: string }) {
  const { config, revealed, loadConfig, reveal, hide, setConfig, unsetConfig } = useServers();
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    void loadConfig(app);
  }, [app, loadConfig]);
  const keys = config[app]?.keys;
  if (!keys) return <Loading what="config vars" />;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const failed = await setConfig(app, key.trim(), value);
    setError(failed);
    if (!failed) {
      setKey('');
      setValue('');
    }
  };

  return (
    <div className="config-vars">
      <p className="muted small">The whole environment of {app}’s containers. Sealed at rest; never shown in lists.</p>
      {keys.length === 0 && <p className="muted">No config vars.</p>}
      <ul className="plain-list">
        {keys.map((k) => {
          const shown = revealed[`${app}:${k}`];
          return (
            <li key={k} className="config-var">
              <span className="mono strong">{k}</span>
              <span className={shown === undefined ? 'mono muted secret' : 'mono'} aria-label={`${k} value`}>
                {shown === undefined ? '••••••••' : shown}
              </span>
              <button className="ghost small" onClick={() => (shown === undefined ? void reveal(app, k) : hide(app, k))}>
                {shown === undefined ? 'Reveal' : 'Hide'}
                <span className="sr-only"> {k}</span>
              </button>
              <button className="ghost small danger" onClick={() => void unsetConfig(app, k)}>
                Unset<span className="sr-only"> {k}</span>
              </button>
            </li>
          );
        })}
      </ul>
      <form className="inline-form" onSubmit={submit}>
        <input aria-label="Config var name" placeholder="NAME" className="mono" value={key} onChange={(e) => setKey(e.target.value)} />
        <input aria-label="Config var value" placeholder="value" type="password" autoComplete="off" value={value} onChange={(e) => setValue(e.target.value)} />
        <button className="ghost" type="submit" disabled={!key.trim()}>
          Set
        </button>
      </form>
      {error && (
        <div className="inline-error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}
