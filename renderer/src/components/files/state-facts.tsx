import type { ServerView } from '../../../../src/shared/api';

/** How a server keeps state, in the words every page uses. */
export function lifetimeText(lifetime: ServerView['lifetime']): string {
  return lifetime === 'session' ? 'keeps state per session' : 'starts fresh at every call';
}

/**
 * One line under a server: whether it keeps state, the folders it sees, the volumes it keeps, what
 * its procdock.json loosens, what its sync refused, and tool definitions waiting for approval.
 */
export function StateFacts({ server }: { server: ServerView }) {
  const waiting = server.tools.filter((t) => t.pin === 'changed' || t.pin === 'new').length;
  return (
    <div className="state-facts" aria-label={`What ${server.process_type} keeps and sees`}>
      <span className={`fact-chip ${server.lifetime === 'session' ? 'session' : 'call'}`} title={lifetimeHint(server.lifetime)}>
        {lifetimeText(server.lifetime)}
      </span>
      {server.volumes.map((path) => (
        <span key={path} className="fact-chip volume" title="An app volume: kept across calls, rebuilds and restarts">
          keeps <span className="mono">{path}</span>
        </span>
      ))}
      {server.mounts.map((m) => (
        <span key={m.container_path} className={`fact-chip folder${m.read_write ? ' writes' : ''}`} title="A host folder you granted">
          {m.description}
        </span>
      ))}
      {server.loosened?.map((words) => (
        <span key={words} className="fact-chip loosened" title="The app’s procdock.json loosens the sandbox’s defaults">
          {words}
        </span>
      ))}
      {server.refused && server.refused.length > 0 && (
        <span className="fact-chip refused" title={server.refused.map((r) => `${r.name}: ${r.reason}`).join('\n')}>
          {server.refused.length} refused
        </span>
      )}
      {waiting > 0 && <span className="fact-chip waiting">{waiting === 1 ? '1 tool waits for approval' : `${waiting} tools wait for approval`}</span>}
    </div>
  );
}

/** What a lifetime means for the user; `idleSeconds` says when an idle session's container ends. */
export function lifetimeHint(lifetime: ServerView['lifetime'], idleSeconds?: number): string {
  const idle = idleSeconds === undefined ? 'when idle' : `after ${idleSeconds} s without a call`;
  return lifetime === 'session'
    ? `One container per client session (a toolkit session, a chat conversation), reused for its calls, ended with the session or ${idle}.`
    : 'A fresh container for every call: nothing it writes outside a volume or a granted folder survives the call.';
}
