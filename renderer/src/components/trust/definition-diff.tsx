import type { ToolDiffView } from '../../../../src/shared/api';

/**
 * What changed in a tool's definition since the user approved it: each change in words (unless the
 * caller shows them already), then the line diff of the two definitions (`-` approved, `+` now).
 */
export function DefinitionDiff({ diff, summary = true }: { diff: ToolDiffView; summary?: boolean }) {
  // A new tool has no approved definition to take lines from: only what it offers now.
  const lines = diff.diff.split('\n').filter((line) => diff.state !== 'new' || line.startsWith('+'));
  return (
    <div className="definition-diff">
      {summary && (
        <ul className="diff-summary">
          {diff.summary.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      )}
      <pre className="mono diff-lines" aria-label={`Definition diff of ${diff.tool}`}>
        {lines.map((line, i) => (
          <span key={i} className={line.startsWith('+') ? 'added' : line.startsWith('-') ? 'removed' : undefined}>
            {line}
            {'\n'}
          </span>
        ))}
      </pre>
    </div>
  );
}

/** The badge of a tool whose definition waits for approval: hidden from every client until then. */
export function PinBadge({ pin }: { pin: string | undefined }) {
  if (pin !== 'changed' && pin !== 'new') return null;
  return (
    <span className="badge-sm bad" title="Hidden from the toolkit, the agent loop and procdock call until you approve it">
      {pin === 'changed' ? 'changed' : 'new'} · waits for approval
    </span>
  );
}
