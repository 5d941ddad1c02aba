import { useTrust } from '../../stores/trust';
import { DefinitionDiff } from './definition-diff';

/**
 * An app's tool definitions that changed, or are new, since the user approved its tools: each
 * with what changed and an Approve button. Until approved they are in no toolkit.
 */
export function ApprovalPanel({ app }: { app: string }) {
  const { diffs, approve, errors } = useTrust();
  const waiting = diffs.filter((d) => d.app === app);
  if (waiting.length === 0) return null;
  return (
    <section className="trust-panel" aria-label={`Definitions of ${app} waiting for approval`}>
      <div className="trust-panel-head">
        <div className="grow">
          <strong>
            {waiting.length === 1 ? '1 tool definition waits' : `${waiting.length} tool definitions wait`} for your approval
          </strong>
          <div className="small">Until you approve, no client sees {waiting.length === 1 ? 'it' : 'them'}: not the toolkit, the agent loop or procdock call.</div>
        </div>
        {waiting.length > 1 && (
          <button className="ghost small" onClick={() => void approve(app, [])}>
            Approve all {waiting.length}
          </button>
        )}
      </div>
      {waiting.map((d) => (
        <details key={`${d.process_type}/${d.tool}`} className="trust-item" open={waiting.length <= 2}>
          <summary>
            <span className="mono strong">{d.tool}</span> <span className="muted small">{d.process_type}</span>{' '}
            <span className="badge-sm bad">{d.state}</span> <span className="small">{d.summary.join('; ')}</span>
          </summary>
          <DefinitionDiff diff={d} summary={false} />
          <button className="primary small" onClick={() => void approve(app, [`${d.process_type}/${d.tool}`])}>
            Approve {d.tool}
          </button>
        </details>
      ))}
      {errors[app] && (
        <div className="inline-error" role="alert">
          {errors[app]}
        </div>
      )}
    </section>
  );
}
