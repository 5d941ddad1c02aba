import { useState, type FormEvent } from 'react';
import type { ModelResourceView } from '../../../../src/shared/api';
import { providerPresets } from '../../../../src/shared/presets';
import { useModels } from '../../stores/models';
import { useServers } from '../../stores/servers';
import { CopyButton, Copyable } from '../common/copyable';

const keyStatus = {
  stored: ['key stored', 'ok'],
  env: ['key from the environment', 'ok'],
  not_needed: ['local: no key needed', 'ok'],
  missing: ['no API key', 'bad'],
} as const;

/** The name users know a provider by. */
export function providerName(model: Pick<ModelResourceView, 'provider' | 'base_url'>): string {
  const preset = Object.values(providerPresets).find((p) => p.base_url === model.base_url);
  if (preset) return preset.label;
  if (!model.base_url) return model.provider === 'anthropic' ? 'Anthropic' : 'OpenAI';
  return model.provider === 'anthropic' ? 'Anthropic-compatible' : 'OpenAI-compatible';
}

/** One model resource: its model, its keys, its toolkit and the clients connected to it. */
export function ModelCard({ model }: { model: ModelResourceView }) {
  const { notes, remove } = useModels();
  const [confirming, setConfirming] = useState(false);
  const [label, tone] = keyStatus[model.key_status];
  const note = notes[model.name];
  return (
    <article className="card model" aria-labelledby={`model-${model.id}`}>
      <div className="card-head">
        <div className="grow">
          <h2 id={`model-${model.id}`}>
            {model.name} <span className={`pill ${tone === 'ok' ? 'synced' : 'error'}`}>{label}</span>
          </h2>
          <div className="muted">
            {providerName(model)} · <span className="mono">{model.model_id}</span>
            {model.base_url && <span className="mono small"> · {model.base_url}</span>}
          </div>
        </div>
        <div className="actions">
          {model.name === 'default' ? null : confirming ? (
            <>
              <button className="danger" onClick={() => void remove(model.name)}>
                Remove {model.name}
              </button>
              <button className="ghost" onClick={() => setConfirming(false)}>
                Keep
              </button>
            </>
          ) : (
            <button className="ghost danger" onClick={() => setConfirming(true)}>
              Remove…
            </button>
          )}
        </div>
      </div>
      <dl className="facts">
        <dt>Apps</dt>
        <dd>{model.apps.length ? model.apps.join(', ') : <span className="muted">none attached: attach apps on the Servers page</span>}</dd>
        <dt>Provider key</dt>
        <dd>
          <ProviderKey model={model} />
        </dd>
        <dt>INFERENCE_KEY</dt>
        <dd>
          <InferenceKey name={model.name} />
        </dd>
        <dt>Toolkit</dt>
        <dd>
          <Toolkit name={model.name} />
        </dd>
      </dl>
      {note && (
        <div className={note.error ? 'inline-error' : 'inline-note'} role={note.error ? 'alert' : 'status'}>
          {note.text}
        </div>
      )}
    </article>
  );
}

function ProviderKey({ model }: { model: ModelResourceView }) {
  const update = useModels((s) => s.update);
  const [editing, setEditing] = useState(false);
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | undefined>();
  const describe = {
    stored: 'sealed in the catalog',
    env: `from $${model.api_key_env ?? ''} of the hub`,
    not_needed: 'none needed',
    missing: model.api_key_env ? `none: $${model.api_key_env} is not set for the hub` : 'none',
  }[model.key_status];
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const failed = await update({ name: model.name, api_key: key });
    setError(failed);
    if (!failed) {
      setEditing(false);
      setKey('');
    }
  };
  if (!editing) {
    return (
      <span className="copyable">
        <span className={model.key_status === 'missing' ? 'bad-text' : undefined}>{describe}</span>
        <button className="ghost small" onClick={() => setEditing(true)}>
          {model.has_api_key ? 'Replace key' : 'Set key'}
          <span className="sr-only"> of {model.name}</span>
        </button>
      </span>
    );
  }
  return (
    <form className="inline-form" onSubmit={submit}>
      <input aria-label={`API key for ${model.name}`} type="password" autoComplete="off" placeholder="sk-…" value={key} onChange={(e) => setKey(e.target.value)} autoFocus />
      <button className="primary small" type="submit" disabled={!key}>
        Save
      </button>
      <button className="ghost small" type="button" onClick={() => setEditing(false)}>
        Cancel
      </button>
      {error && <span className="inline-error">{error}</span>}
    </form>
  );
}

function InferenceKey({ name }: { name: string }) {
  const { keys, revealKey, hideKey, rotateKey } = useModels();
  const [confirming, setConfirming] = useState(false);
  const key = keys[name];
  return (
    <span className="copyable wrap">
      <code aria-label={`INFERENCE_KEY of ${name}`}>{key ?? 'inf-••••••••-••••-••••'}</code>
      <button className="ghost small" onClick={() => (key ? hideKey(name) : void revealKey(name))}>
        {key ? 'Hide' : 'Reveal'}
        <span className="sr-only"> key of {name}</span>
      </button>
      {key ? (
        <CopyButton text={key} what={`the key of ${name}`} />
      ) : (
        <button className="ghost small" aria-label={`Copy the key of ${name}`} onClick={() => void revealKey(name).then((k) => (k ? navigator.clipboard?.writeText(k) : undefined))}>
          Copy
        </button>
      )}
      {confirming ? (
        <>
          <button
            className="danger small"
            onClick={() => {
              setConfirming(false);
              void rotateKey(name);
            }}
          >
            Rotate now: the old key stops working
          </button>
          <button className="ghost small" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </>
      ) : (
        <button className="ghost small" onClick={() => setConfirming(true)}>
          Rotate…<span className="sr-only"> key of {name}</span>
        </button>
      )}
    </span>
  );
}

function Toolkit({ name }: { name: string }) {
  const info = useServers((s) => s.info);
  const connect = useModels((s) => s.connect);
  const [project, setProject] = useState('');
  if (!info) return null;
  return (
    <div className="toolkit">
      <Copyable text={info.toolkit_url} what={`the toolkit URL of ${name}`} />
      <span className="muted small"> Streamable HTTP · SSE for older clients at /mcp/sse · Bearer INFERENCE_KEY</span>
      <div className="connect" role="group" aria-label={`Connect a client to ${name}`}>
        <span className="muted small">Write a client’s config (merged, old file backed up):</span>
        <button className="ghost small" onClick={() => void connect(name, 'cursor')}>
          Cursor
        </button>
        <button className="ghost small" onClick={() => void connect(name, 'claude')}>
          Claude Desktop
        </button>
        <input aria-label="VS Code project folder" className="mono small-input" placeholder="project folder (optional)" value={project} onChange={(e) => setProject(e.target.value)} />
        <button className="ghost small" title="Without a project folder: your VS Code user profile's mcp.json" onClick={() => void connect(name, 'vscode', project.trim() || undefined)}>
          VS Code
        </button>
      </div>
    </div>
  );
}
