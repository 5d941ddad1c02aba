import { useEffect, useState, type FormEvent } from 'react';
import { providerPresets, type PresetName } from '../../../../src/shared/presets';
import { useModels } from '../../stores/models';

const order: PresetName[] = ['ollama', 'lmstudio', 'openai', 'anthropic', 'heroku', 'openrouter', 'vllm'];

/**
 * Creates a model resource from a preset. Local model servers found running come first, with
 * their models to pick from; remote ones ask for a key (sealed by the hub) or the variable holding it.
 */
export function ModelSetup({ onCreated }: { onCreated?: (name: string) => void }) {
  const { models, local, probing, discover, create } = useModels();
  const taken = new Set(models.map((m) => m.name));
  const freeName = (base: string) => (taken.has(base) ? `${base}-${[...Array(99).keys()].find((i) => !taken.has(`${base}-${i + 2}`))! + 2}` : base);
  const [preset, setPreset] = useState<PresetName | undefined>();
  useEffect(() => {
    void discover();
  }, [discover]);
  const found = new Map<string, (typeof local)[number]>(local.map((l) => [l.preset, l]));
  const sorted = [...order].sort((a, b) => Number(found.has(b)) - Number(found.has(a)));
  return (
    <div className="model-setup">
      <div className="presets" role="group" aria-label="Presets">
        {sorted.map((name) => {
          const p = providerPresets[name];
          const running = found.get(name);
          return (
            <button key={name} className={`preset${preset === name ? ' active' : ''}${running ? ' found' : ''}`} aria-pressed={preset === name} onClick={() => setPreset(name)}>
              <span className="strong">{p.label}</span>
              <span className="muted small">
                {running
                  ? `running here · ${running.models.length} model${running.models.length === 1 ? '' : 's'}`
                  : !p.local
                    ? 'needs an API key'
                    : name === 'vllm'
                      ? 'a server on this machine'
                      : 'not found on this machine'}
              </span>
            </button>
          );
        })}
      </div>
      {probing && <p className="muted small">Looking for Ollama and LM Studio on this machine…</p>}
      {preset && (
        <PresetForm
          key={preset}
          preset={preset}
          localModels={found.get(preset)?.models ?? []}
          baseUrl={found.get(preset)?.base_url ?? providerPresets[preset].base_url}
          suggestedName={freeName(preset)}
          create={create}
          onCreated={onCreated}
        />
      )}
    </div>
  );
}

interface PresetFormProps {
  preset: PresetName;
  localModels: string[];
  baseUrl: string;
  suggestedName: string;
  create: ReturnType<typeof useModels.getState>['create'];
  onCreated: ((name: string) => void) | undefined;
}

function PresetForm({ preset, localModels, baseUrl, suggestedName, create, onCreated }: PresetFormProps) {
  const p = providerPresets[preset];
  const [name, setName] = useState(suggestedName);
  const [model, setModel] = useState(localModels[0] ?? p.model);
  const [url, setUrl] = useState(baseUrl);
  const [apiKey, setApiKey] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [saving, setSaving] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    const failed = await create({
      name: name.trim(),
      provider: p.provider,
      model: model.trim(),
      base_url: url.trim(),
      ...(apiKey ? { api_key: apiKey } : p.api_key_env ? { api_key_env: p.api_key_env } : {}),
    });
    setSaving(false);
    setError(failed);
    if (!failed) onCreated?.(name.trim());
  };
  return (
    <form className="preset-form" onSubmit={submit} aria-label={`New ${p.label} resource`}>
      <label>
        Name
        <input aria-label="Resource name" value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        Model
        <input aria-label="Model id" list={`models-${preset}`} value={model} onChange={(e) => setModel(e.target.value)} />
        <datalist id={`models-${preset}`}>
          {localModels.map((m) => (
            <option key={m} value={m} />
          ))}
        </datalist>
      </label>
      <label className="wide">
        Endpoint
        <input aria-label="Base URL" className="mono" value={url} onChange={(e) => setUrl(e.target.value)} />
      </label>
      {!p.local && (
        <label className="wide">
          API key
          <input
            aria-label="API key"
            type="password"
            autoComplete="off"
            placeholder={p.api_key_env ? `or leave empty to use $${p.api_key_env} of the hub` : 'sk-…'}
            value={apiKey}
            onChange={(e) => setApiKey(e.target.value)}
          />
        </label>
      )}
      <div className="form-foot wide">
        <button type="submit" className="primary" disabled={saving || !name.trim() || !model.trim()}>
          Create {name.trim() || 'resource'}
        </button>
        {error && (
          <span className="inline-error" role="alert">
            {error}
          </span>
        )}
      </div>
    </form>
  );
}
