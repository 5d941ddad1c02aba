import type { PolicyValue } from '../../../../src/shared/api';
import { useTrust } from '../../stores/trust';

const why = { 'its policy': '', 'read-only': 'read-only', 'the default': 'hub default' } as const;

/** A tool's approval policy: allow, ask first, or deny; says when it comes from the default. */
export function PolicySelect({ app, tool, label }: { app: string; tool: string; label: string }) {
  const entry = useTrust((s) => s.policies[app]?.tools.find((t) => t.tool === tool));
  const setPolicy = useTrust((s) => s.setPolicy);
  if (!entry) return null;
  return (
    <span className="policy">
      {entry.why !== 'its policy' && <span className="muted small">{why[entry.why]}</span>}
      <select
        className={`policy-select ${entry.policy}`}
        aria-label={`Policy of ${label}`}
        value={entry.policy}
        onChange={(e) => void setPolicy(app, tool, e.target.value as PolicyValue)}
      >
        <option value="allow">allow</option>
        <option value="ask">ask first</option>
        <option value="deny">deny</option>
      </select>
    </span>
  );
}

/** The hub-wide policy for tools that are not annotated read-only and have none of their own. */
export function DefaultPolicy() {
  const { defaultPolicy, setDefault, errors } = useTrust();
  if (!defaultPolicy) return null;
  return (
    <label className="default-policy">
      <span className="muted">Tools not marked read-only</span>
      <select aria-label="Default policy" value={defaultPolicy} onChange={(e) => void setDefault(e.target.value as 'allow' | 'ask')}>
        <option value="allow">run without asking</option>
        <option value="ask">ask me first</option>
      </select>
      {errors[''] && <span className="inline-error">{errors['']}</span>}
    </label>
  );
}
