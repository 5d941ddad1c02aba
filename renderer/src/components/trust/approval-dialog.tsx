import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useApprovals } from '../../stores/approvals';

/**
 * Asks the user about each call held under policy `ask`, oldest first: the tool, its server, who
 * calls it and the exact arguments, with Allow once, Allow for 10 minutes and Deny. Deny has the
 * focus, so a stray Enter refuses rather than runs.
 */
export function ApprovalDialog() {
  const { pending, error, answer, expire } = useApprovals();
  const request = pending[0];
  const deny = useRef<HTMLButtonElement>(null);
  const [busy, setBusy] = useState(false);
  const [dismissed, setDismissed] = useState<string | undefined>();

  useEffect(() => {
    deny.current?.focus();
  }, [request?.id]);

  if (!request) {
    if (!error || dismissed === error) return null;
    return (
      <div className="toast notice warn" role="status">
        {error}{' '}
        <button className="link" onClick={() => setDismissed(error)}>
          OK
        </button>
      </div>
    );
  }
  const reply = async (choice: Parameters<typeof answer>[1]) => {
    setBusy(true);
    await answer(request.id, choice);
    setBusy(false);
  };
  return (
    <div className="modal-backdrop">
      <div className="modal approval" role="alertdialog" aria-modal="true" aria-labelledby="approval-title" aria-describedby="approval-what" onKeyDown={trapTab}>
        <div className="approval-head">
          <span className="approval-mark" aria-hidden>
            ?
          </span>
          <div>
            <h2 id="approval-title">
              Allow <span className="mono">{request.tool}</span> to run?
            </h2>
            <p id="approval-what" className="muted">
              <strong>{request.caller}</strong> calls it on <span className="mono">{`${request.app}/${request.process_type}`}</span>, whose policy is
              to ask you first.
            </p>
          </div>
        </div>
        <h3>With these arguments</h3>
        <pre className="mono json approval-args" aria-label="Arguments">
          {JSON.stringify(request.arguments, null, 2)}
        </pre>
        <p className="muted small">
          An answer holds for these exact arguments only. Without one, the call is refused in <Countdown key={request.id} until={request.expires_at} onEnd={() => expire(request.id)} />
          {pending.length > 1 ? ` · ${pending.length - 1} more waiting` : ''}.
        </p>
        {error && <div className="inline-error">{error}</div>}
        <div className="modal-actions">
          <button ref={deny} className="ghost danger" onClick={() => void reply('deny')} disabled={busy}>
            Deny
          </button>
          <span className="grow" />
          <button className="ghost" onClick={() => void reply('allow-for-a-while')} disabled={busy}>
            Allow for 10 minutes
          </button>
          <button className="primary" onClick={() => void reply('allow')} disabled={busy}>
            Allow once
          </button>
        </div>
      </div>
    </div>
  );
}

/** Minutes and seconds until `until`, ticking; calls `onEnd` when it is reached. */
function Countdown({ until, onEnd }: { until: string; onEnd: () => void }) {
  const end = Date.parse(until);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const left = Math.max(0, Math.ceil((end - now) / 1000));
  useEffect(() => {
    if (left === 0) onEnd();
  }, [left, onEnd]);
  return <span className="strong">{`${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`}</span>;
}

/** Keeps Tab within the dialog, as a modal should. */
function trapTab(event: KeyboardEvent<HTMLDivElement>): void {
  if (event.key !== 'Tab') return;
  const focusable = [...event.currentTarget.querySelectorAll<HTMLElement>('button:not(:disabled)')];
  const first = focusable[0];
  const last = focusable.at(-1);
  if (!first || !last) return;
  if (event.shiftKey && document.activeElement === first) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first.focus();
  }
}
