import { useState } from 'react';
import { useModels } from '../../stores/models';
import { Loading } from '../common/states';
import { ModelCard } from './model-card';
import { ModelSetup } from './model-setup';

/** Model resources: each a model, a key, and a toolkit of the apps attached to it. */
export function ModelsView() {
  const { models, loaded } = useModels();
  const [adding, setAdding] = useState(false);
  return (
    <section>
      <header className="page-head row">
        <div>
          <h1>Models</h1>
          <p className="muted">Each model resource has its own INFERENCE_KEY and is a toolkit: the servers of the apps attached to it.</p>
        </div>
        <button className={adding ? 'ghost' : 'primary'} onClick={() => setAdding(!adding)} aria-expanded={adding}>
          {adding ? 'Close' : 'New resource'}
        </button>
      </header>
      {adding && (
        <div className="card">
          <h2>New model resource</h2>
          <ModelSetup onCreated={() => setAdding(false)} />
        </div>
      )}
      {!loaded ? <Loading what="model resources" /> : models.map((m) => <ModelCard key={m.id} model={m} />)}
    </section>
  );
}
