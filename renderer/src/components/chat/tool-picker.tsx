import { useEffect, useMemo, useRef, useState } from 'react';
import type { ToolkitToolView } from '../../../../src/shared/api';
import { useChat } from '../../stores/chat';
import { useServers } from '../../stores/servers';
import { lifetimeText } from '../files/state-facts';
import { AnnotationBadges } from '../servers/tool-list';
import { DynoFields } from './dyno-fields';

interface Group {
  server: string;
  tools: ToolkitToolView[];
}

/**
 * Picks the tools the model may use: searchable, grouped by server, each group selectable at once,
 * so a toolkit of hundreds of tools stays usable. Names are the ones the toolkit exposes.
 */
export function ToolPicker() {
  const { toolkit, builtins, tools, setTools, running } = useChat();
  const servers = useServers((s) => s.servers);
  const sessionServers = new Set(servers.filter((s) => s.lifetime === 'session').map((s) => `${s.app_name}/${s.process_type}`));
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState('');
  const panel = useRef<HTMLDivElement>(null);
  const picked = new Set(tools);
  const groups = useMemo(() => groupTools(toolkit, query), [toolkit, query]);

  useEffect(() => {
    if (!open) return;
    const close = (event: MouseEvent) => {
      if (!panel.current?.parentElement?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [open]);

  const toggle = (names: string[], on: boolean) => setTools(on ? [...new Set([...tools, ...names])] : tools.filter((t) => !names.includes(t)));

  return (
    <div className="picker">
      <button className="ghost" aria-expanded={open} aria-controls="tool-picker" onClick={() => setOpen(!open)} disabled={running}>
        Tools <span className="count-badge">{tools.length}</span>
      </button>
      {open && (
        <div className="picker-panel" id="tool-picker" ref={panel} role="dialog" aria-label="Pick tools" onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}>
          <input className="search" aria-label="Search tools" placeholder={`Search ${toolkit.length + builtins.length} tools…`} value={query} onChange={(e) => setQuery(e.target.value)} autoFocus />
          <div className="picker-list">
            <fieldset className="picker-group">
              <legend>Built-in (heroku_tool)</legend>
              {builtins
                .filter((b) => !query.trim() || `${b.name} ${b.description}`.toLowerCase().includes(query.trim().toLowerCase()))
                .map((b) => (
                  <div key={b.name} className={`builtin${b.unavailable ? ' unavailable' : ''}`}>
                    <label className="tool-option" title={b.unavailable ?? b.description}>
                      <input
                        type="checkbox"
                        aria-label={b.name}
                        aria-describedby={b.unavailable ? `why-${b.name}` : undefined}
                        checked={picked.has(b.name)}
                        disabled={!!b.unavailable && !picked.has(b.name)}
                        onChange={(e) => toggle([b.name], e.target.checked)}
                      />
                      <span className="mono">{b.name}</span>
                      {b.unavailable ? (
                        <span className="small unavailable-why" id={`why-${b.name}`}>
                          {b.unavailable}
                        </span>
                      ) : (
                        <span className="muted small ellipsis">{b.description}</span>
                      )}
                    </label>
                    {b.needs_app && picked.has(b.name) && <DynoFields />}
                  </div>
                ))}
            </fieldset>
            {groups.map((group) => {
              const names = group.tools.map((t) => t.name);
              const all = names.every((n) => picked.has(n));
              return (
                <fieldset key={group.server} className="picker-group">
                  <legend>
                    <label className="group-toggle">
                      <input type="checkbox" aria-label={`All tools of ${group.server}`} checked={all} onChange={(e) => toggle(names, e.target.checked)} />
                      {group.server} <span className="muted small">({group.tools.length})</span>
                      {sessionServers.has(group.server) && <span className="fact-chip session">{lifetimeText('session')}</span>}
                    </label>
                  </legend>
                  {group.tools.map((tool) => (
                    <label key={tool.name} className="tool-option">
                      <input type="checkbox" aria-label={tool.name} checked={picked.has(tool.name)} onChange={(e) => toggle([tool.name], e.target.checked)} />
                      <span className="mono">{tool.name}</span>
                      <AnnotationBadges annotations={tool.annotations} />
                      <span className="muted small ellipsis">{tool.description?.split('\n')[0]}</span>
                    </label>
                  ))}
                </fieldset>
              );
            })}
            {toolkit.length === 0 && <p className="muted small">No started server is attached to this resource: attach an app on the Servers page.</p>}
            {toolkit.length > 0 && groups.length === 0 && <p className="muted small">No tool matches “{query}”.</p>}
          </div>
          <div className="picker-foot">
            <button className="ghost small" onClick={() => setTools([])}>
              Clear
            </button>
            <button className="primary small" onClick={() => setOpen(false)}>
              Done
            </button>
          </div>
        </div>
      )}
    </div>
  );
}

function groupTools(toolkit: ToolkitToolView[], query: string): Group[] {
  const q = query.trim().toLowerCase();
  const groups = new Map<string, ToolkitToolView[]>();
  for (const tool of toolkit) {
    const server = `${tool.app_name}/${tool.namespace}`;
    if (q && !`${tool.name} ${server} ${tool.description ?? ''}`.toLowerCase().includes(q)) continue;
    groups.set(server, [...(groups.get(server) ?? []), tool]);
  }
  return [...groups].map(([server, tools]) => ({ server, tools }));
}
