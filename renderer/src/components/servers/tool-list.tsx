import { useEffect, useState } from 'react';
import type { ServerDetailView, ToolView } from '../../../../src/shared/api';
import { useTrust } from '../../stores/trust';
import { DefinitionDiff, PinBadge } from '../trust/definition-diff';
import { PolicySelect } from '../trust/policy-select';

/** The annotation badges users care about: what a tool may do. */
export function AnnotationBadges({ annotations }: { annotations: Record<string, unknown> }) {
  const badges: [string, string][] = [];
  if (annotations.readOnlyHint === true) badges.push(['read-only', 'ok']);
  if (annotations.destructiveHint === true && annotations.readOnlyHint !== true) badges.push(['destructive', 'bad']);
  if (annotations.idempotentHint === true) badges.push(['idempotent', 'quiet']);
  if (annotations.openWorldHint === true) badges.push(['open-world', 'warn']);
  return (
    <>
      {badges.map(([label, tone]) => (
        <span key={label} className={`badge-sm ${tone}`}>
          {label}
        </span>
      ))}
    </>
  );
}

/**
 * A server's tools: searchable, each with its badges, its approval policy and, opened, its input
 * schema; a definition that changed since it was approved shows what changed and an Approve button.
 */
export function ToolList({ detail }: { detail: ServerDetailView }) {
  const [query, setQuery] = useState('');
  const loadPolicies = useTrust((s) => s.loadPolicies);
  useEffect(() => {
    void loadPolicies(detail.app_name);
  }, [detail.app_name, loadPolicies]);
  const q = query.trim().toLowerCase();
  const tools = detail.tools.filter((t) => !q || t.name.toLowerCase().includes(q) || t.description?.toLowerCase().includes(q));
  if (detail.tools.length === 0) return <p className="muted">No tools {detail.primitives_status === 'synced' ? 'listed by this server' : 'yet: Sync reads them'}.</p>;
  return (
    <div>
      {detail.tools.length > 8 && (
        <input className="search" aria-label={`Search the tools of ${detail.process_type}`} placeholder="Search tools…" value={query} onChange={(e) => setQuery(e.target.value)} />
      )}
      <ul className="tools">
        {tools.map((tool) => (
          <Tool key={tool.name} tool={tool} detail={detail} />
        ))}
      </ul>
    </div>
  );
}

function Tool({ tool, detail }: { tool: ToolView; detail: ServerDetailView }) {
  const [open, setOpen] = useState(false);
  const exposed = detail.exposed[tool.name];
  const key = `${detail.process_type}/${tool.name}`;
  const diff = useTrust((s) => s.diffs.find((d) => d.app === detail.app_name && d.process_type === detail.process_type && d.tool === tool.name));
  const approve = useTrust((s) => s.approve);
  const title = typeof tool.annotations.title === 'string' ? tool.annotations.title : undefined;
  return (
    <li className="tool">
      <div className="tool-line">
        <button className="tool-head" aria-expanded={open} onClick={() => setOpen(!open)}>
          <span className="mono strong">{tool.name}</span>
          <PinBadge pin={tool.pin} />
          <AnnotationBadges annotations={tool.annotations} />
          <span className="muted ellipsis tool-desc">{title ?? tool.description?.split('\n')[0]}</span>
        </button>
        <PolicySelect app={detail.app_name} tool={key} label={tool.name} />
      </div>
      {exposed && (
        <div className="muted small exposed">
          The toolkit names it {Object.entries(exposed).map(([resource, name]) => `${name} in ${resource}`).join(', ')}: another attached server offers the same name.
        </div>
      )}
      {open && (
        <div className="tool-body">
          {diff && (
            <div className="tool-diff">
              <DefinitionDiff diff={diff} />
              <button className="primary small" onClick={() => void approve(detail.app_name, [key])}>
                Approve {tool.name}
              </button>
            </div>
          )}
          {tool.description && <p className="tool-description">{tool.description}</p>}
          <SchemaTable schema={tool.input_schema} />
          {tool.output_schema && (
            <details>
              <summary className="small">Output schema</summary>
              <pre className="mono json">{JSON.stringify(tool.output_schema, null, 2)}</pre>
            </details>
          )}
        </div>
      )}
    </li>
  );
}

interface Property {
  type?: string | string[];
  description?: string;
  enum?: unknown[];
  default?: unknown;
}

/** A JSON Schema's properties as a table; anything richer is shown raw below it. */
function SchemaTable({ schema }: { schema: Record<string, unknown> }) {
  const properties = (schema.properties ?? {}) as Record<string, Property>;
  const required = new Set((schema.required ?? []) as string[]);
  const names = Object.keys(properties);
  return (
    <div className="schema">
      {names.length === 0 ? (
        <p className="muted small">Takes no arguments.</p>
      ) : (
        <table className="schema-table">
          <thead>
            <tr>
              <th>Argument</th>
              <th>Type</th>
              <th>Description</th>
            </tr>
          </thead>
          <tbody>
            {names.map((name) => {
              const p = properties[name] ?? {};
              return (
                <tr key={name}>
                  <td className="mono">
                    {name}
                    {required.has(name) ? <span className="required" title="required">*</span> : null}
                  </td>
                  <td className="mono muted">{p.enum ? p.enum.map((v) => JSON.stringify(v)).join(' | ') : [p.type ?? 'any'].flat().join(' | ')}</td>
                  <td>
                    {p.description}
                    {p.default !== undefined && <span className="muted small"> (default {JSON.stringify(p.default)})</span>}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <details>
        <summary className="small">Input schema (JSON)</summary>
        <pre className="mono json">{JSON.stringify(schema, null, 2)}</pre>
      </details>
    </div>
  );
}
