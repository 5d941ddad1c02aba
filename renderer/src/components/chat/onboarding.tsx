import { ModelSetup } from '../models/model-setup';

/** No resource has a model it can use: say so, and offer the presets, local ones first. */
export function Onboarding({ onCreated }: { onCreated: (name: string) => void }) {
  return (
    <div className="onboarding card">
      <h2>Pick a model to chat with</h2>
      <p className="muted">
        No model resource has a usable model yet: <code>default</code> points at OpenAI but has no API key. Use a model running on this machine, or
        add a key for a hosted one.
      </p>
      <ModelSetup onCreated={onCreated} />
    </div>
  );
}
