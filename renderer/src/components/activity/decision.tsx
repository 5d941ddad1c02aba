import { decisionKind } from '../../stores/decisions';

/** A call's approval decision, toned by what it did: allowed quietly, asked and approved, or refused. */
export function Decision({ decision }: { decision: string | undefined }) {
  const kind = decisionKind(decision);
  if (!kind) return <span className="muted">–</span>;
  return <span className={`decision ${kind}`}>{decision}</span>;
}
