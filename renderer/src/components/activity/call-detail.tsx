import { useEffect, useRef } from 'react';
import type { CallRecordView } from '../../../../src/shared/api';
import { useCalls } from '../../stores/calls';
import { duration } from '../common/states';
import { Decision } from './decision';

const phases = [
  ['queued_ms', 'Queued'],
  ['start_ms', 'Container start'],
  ['init_ms', 'Server init'],
  ['run_ms', 'Tool run'],
] as const;

/** One call, opened: arguments, result, error, where it ran and where its time went. Escape closes it. */
export function CallDetail({ call }: { call: CallRecordView }) {
  const close = useCalls((s) => s.close);
  const panel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    panel.current?.focus();
    const onKey = (event: KeyboardEvent) => event.key === 'Escape' && close();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [call.id, close]);
  const t = call.timings;
  const texts = resultTexts(call.result);
  return (
    <aside className="drawer" role="dialog" aria-modal="false" aria-label={`Call ${call.tool}`} tabIndex={-1} ref={panel}>
      <div className="drawer-head">
        <div>
          <h2 className="mono">{call.tool}</h2>
          <div className="muted small">
            {call.app_name}/{call.process_type}
            {call.resource ? ` · resource ${call.resource}` : ''} · {new Date(call.started_at).toLocaleString()}
          </div>
        </div>
        <button className="ghost" onClick={close} aria-label="Close call details">
          ✕
        </button>
      </div>
      <div className="drawer-body">
        <div className="facts-row">
          <span className={`pill ${call.status === 'ok' ? 'synced' : call.status === 'error' ? 'error' : 'syncing'}`}>{call.status}</span>
          <span className="pill quiet">{call.sandbox}</span>
          {t && <span className={`pill ${call.warm ? 'synced' : 'quiet'}`}>{call.warm ? 'warm container' : 'cold start'}</span>}
        </div>
        {call.decision && (
          <p className="small">
            Approval: <Decision decision={call.decision} />
          </p>
        )}
        {call.container_id && (
          <p className="muted small">
            Container <span className="mono">{call.container_id.slice(0, 12)}</span>, destroyed after the call
            {call.exit_code === 137 ? ' (the hub stopped it: exit status 137)' : call.exit_code !== null ? ` (it exited with status ${call.exit_code})` : ''}.
          </p>
        )}
        <h3>Timing</h3>
        {t ? <Timeline timings={t} /> : <p className="muted">Still running…</p>}
        <h3>Arguments</h3>
        <pre className="mono json">{JSON.stringify(call.arguments, null, 2)}</pre>
        {call.error && (
          <>
            <h3>Error</h3>
            <pre className="mono json error-text">{call.error}</pre>
          </>
        )}
        <h3>Result</h3>
        {texts.length > 0 && <pre className={`mono json${call.is_error ? ' error-text' : ''}`}>{texts.join('\n')}</pre>}
        <details>
          <summary className="small">Raw CallToolResult</summary>
          <pre className="mono json">{JSON.stringify(call.result, null, 2)}</pre>
        </details>
      </div>
    </aside>
  );
}

function Timeline({ timings }: { timings: NonNullable<CallRecordView['timings']> }) {
  const total = Math.max(timings.total_ms, 1);
  return (
    <div className="timeline">
      <div className="timeline-bar" aria-hidden>
        {phases.map(([key]) => (
          <span key={key} className={`phase ${key}`} style={{ width: `${(timings[key] / total) * 100}%` }} />
        ))}
      </div>
      <dl className="facts compact">
        {phases.map(([key, label]) => (
          <div key={key} className="fact">
            <dt>
              <span className={`swatch ${key}`} aria-hidden /> {label}
            </dt>
            <dd className="num">{duration(timings[key])}</dd>
          </div>
        ))}
        <div className="fact total">
          <dt>Total</dt>
          <dd className="num strong">{duration(timings.total_ms)}</dd>
        </div>
      </dl>
    </div>
  );
}

function resultTexts(result: unknown): string[] {
  const content = (result as { content?: { type: string; text?: string }[] } | null)?.content;
  return Array.isArray(content) ? content.map((c) => (c.type === 'text' ? (c.text ?? '') : `[${c.type}]`)) : [];
}
