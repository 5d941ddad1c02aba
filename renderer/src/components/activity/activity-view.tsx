import type { CallRecordView } from '../../../../src/shared/api';
import { useCalls } from '../../stores/calls';
import { decisionKinds } from '../../stores/decisions';
import { useServers } from '../../stores/servers';
import { duration, Empty, ErrorNotice } from '../common/states';
import { CallDetail } from './call-detail';
import { Decision } from './decision';
import { LatencyChart } from './latency-chart';

/** The call log: filters, a latency chart, every call, and one call opened. */
export function ActivityView() {
  const { calls: read, shown: calls, known, filter, setFilter, selected, open, error } = useCalls();
  const servers = useServers((s) => s.servers);
  const serverNames = [...new Set([...servers.map((s) => `${s.app_name}/${s.process_type}`), ...known.servers])].sort();
  const toolNames = [
    ...new Set([
      ...servers.filter((s) => !filter.server || `${s.app_name}/${s.process_type}` === filter.server).flatMap((s) => s.tools.map((t) => t.name)),
      ...known.tools,
    ]),
  ].sort();
  const filtered = filter.server || filter.tool || filter.status || filter.decision;
  const finished = calls.filter((c) => c.timings);

  return (
    <section>
      <header className="page-head">
        <h1>Activity</h1>
        <p className="muted">Every tool call: where it ran, how each phase went, what it returned.</p>
      </header>
      <div className="filters" role="group" aria-label="Filter calls">
        <label>
          Server
          <select aria-label="Filter by server" value={filter.server} onChange={(e) => void setFilter({ server: e.target.value, tool: '' })}>
            <option value="">All servers</option>
            {serverNames.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Tool
          <select aria-label="Filter by tool" value={filter.tool} onChange={(e) => void setFilter({ tool: e.target.value })}>
            <option value="">All tools</option>
            {toolNames.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select aria-label="Filter by status" value={filter.status} onChange={(e) => void setFilter({ status: e.target.value as typeof filter.status })}>
            <option value="">Any status</option>
            <option value="ok">ok</option>
            <option value="error">error</option>
            <option value="running">running</option>
          </select>
        </label>
        <label>
          Decision
          <select aria-label="Filter by decision" value={filter.decision} onChange={(e) => void setFilter({ decision: e.target.value as typeof filter.decision })}>
            <option value="">Any decision</option>
            {decisionKinds.map((d) => (
              <option key={d.kind} value={d.kind}>
                {d.label}
              </option>
            ))}
          </select>
        </label>
        {filtered && (
          <button className="ghost small" onClick={() => void setFilter({ server: '', tool: '', status: '', decision: '' })}>
            Clear filters
          </button>
        )}
        <span className="muted small grow-right">
          {calls.length} call{calls.length === 1 ? '' : 's'}
          {read.length === 500 ? ' of the newest 500' : ''}
        </span>
      </div>
      <ErrorNotice message={error} />
      {finished.length > 1 && (
        <div className="card chart-card">
          <h2>Call time</h2>
          <LatencyChart calls={finished} />
        </div>
      )}
      {calls.length === 0 ? (
        <Empty title={filtered ? 'No call matches' : 'No calls yet'}>
          {filtered ? (
            <p>Try another filter.</p>
          ) : (
            <p>
              Chat with a model that has tools, run <code>procdock call echo --args {'{"message":"hi"}'}</code>, or point a client at the toolkit.
            </p>
          )}
        </Empty>
      ) : (
        <CallTable calls={calls} selected={selected?.id} onOpen={(id) => void open(id)} />
      )}
      {selected && <CallDetail call={selected} />}
    </section>
  );
}

function CallTable({ calls, selected, onOpen }: { calls: CallRecordView[]; selected: string | undefined; onOpen: (id: string) => void }) {
  return (
    <table className="calls">
      <thead>
        <tr>
          <th>Started</th>
          <th>Tool</th>
          <th>Server</th>
          <th>Status</th>
          <th>Decision</th>
          <th>Container</th>
          <th className="num">Total</th>
        </tr>
      </thead>
      <tbody>
        {calls.map((c) => (
          <tr key={c.id} className={c.id === selected ? 'selected' : undefined}>
            <td className="muted">{new Date(c.started_at).toLocaleTimeString()}</td>
            <td>
              <button className="row-open mono strong" onClick={() => onOpen(c.id)} aria-label={`Open call ${c.tool} at ${new Date(c.started_at).toLocaleTimeString()}`}>
                {c.tool}
              </button>
            </td>
            <td className="mono muted">{`${c.app_name}/${c.process_type}`}</td>
            <td>
              <span className={`pill ${c.status === 'ok' ? 'synced' : c.status === 'error' ? 'error' : 'syncing'}`}>{c.status}</span>
            </td>
            <td>
              <Decision decision={c.decision} />
            </td>
            <td className="muted">
              {c.sandbox}
              {c.timings ? <span className={`pill small ${c.warm ? 'synced' : 'quiet'}`}>{c.warm ? 'warm' : 'cold'}</span> : null}
            </td>
            <td className="num strong">{duration(c.timings?.total_ms)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

