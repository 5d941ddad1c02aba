import { useState } from 'react';
import Markdown from 'react-markdown';
import remarkGfm from 'remark-gfm';
import type { ChatEntry, ToolStep } from '../../stores/chat';
import { duration } from '../common/states';

/** Results longer than this start collapsed. */
const longResult = 600;

/** One turn: its text as markdown (no raw HTML), then a card per tool call. */
export function Message({ entry }: { entry: ChatEntry }) {
  return (
    <div className={`bubble ${entry.role}`}>
      {entry.text &&
        (entry.role === 'user' ? (
          <div className="bubble-text plain">{entry.text}</div>
        ) : (
          <div className="bubble-text markdown">
            <Markdown remarkPlugins={[remarkGfm]} components={{ a: ({ href, children }) => <a href={href} target="_blank" rel="noreferrer noopener">{children}</a> }}>
              {entry.text}
            </Markdown>
          </div>
        ))}
      {entry.tools.map((tool) => (
        <ToolCard key={tool.id} tool={tool} />
      ))}
    </div>
  );
}

const statusText = { running: 'running…', ok: 'done', error: 'failed', stopped: 'stopped' } as const;

/** A tool call: its name and server, arguments, status, result and how long it took. */
export function ToolCard({ tool }: { tool: ToolStep }) {
  const long = (tool.result?.length ?? 0) > longResult;
  const [expanded, setExpanded] = useState(false);
  return (
    <div className={`tool-card ${tool.status}`} aria-label={`Tool call ${tool.name}`}>
      <div className="tool-card-head">
        <span className={`dot ${tool.status === 'ok' ? 'synced' : tool.status === 'running' ? 'syncing' : tool.status === 'error' ? 'error' : 'stopped'}`} aria-hidden />
        <span className="mono strong">{tool.name}</span>
        {tool.server && <span className="muted small">{tool.server}</span>}
        <span className={`pill ${tool.status === 'ok' ? 'synced' : tool.status === 'running' ? 'syncing' : tool.status === 'error' ? 'error' : 'stopped'}`}>
          {statusText[tool.status]}
        </span>
        {tool.ms !== undefined && <span className="muted small timing">{duration(tool.ms)}</span>}
      </div>
      <pre className="mono args">{prettyJson(tool.args)}</pre>
      {tool.result !== undefined && (
        <div className="tool-result">
          <pre className={`mono result${long && !expanded ? ' collapsed' : ''}`}>{tool.result || '(empty result)'}</pre>
          {long && (
            <button className="link small" onClick={() => setExpanded(!expanded)} aria-expanded={expanded}>
              {expanded ? 'Show less' : `Show all ${tool.result.length.toLocaleString()} characters`}
            </button>
          )}
        </div>
      )}
    </div>
  );
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
