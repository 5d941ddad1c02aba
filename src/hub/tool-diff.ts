import { canonicalJson, pinnedPart } from '../catalog/digest.js';

type Definition = Record<string, unknown>;

/** What changed between an approved tool definition and the one a server lists now. */
export interface ToolDiff {
  /** One line per change a reviewer should read: "description changed", "input: new parameter \"token\"". */
  summary: string[];
  /** A line diff of the two definitions as pretty JSON: `-` approved, `+` now, ` ` both. */
  text: string;
}

/**
 * Both sides are the pinned part (what was approved is stored so): fields a server may change
 * freely (`_meta`, icons, `execution`) are no change to review, and show as none.
 */
export function diffTool(approved: Definition | undefined, now: Definition): ToolDiff {
  const [was, is] = [approved && pinnedPart(approved), pinnedPart(now)];
  return { summary: was ? summarize(was, is) : ['a new tool'], text: lineDiff(pretty(was ?? {}), pretty(is)) };
}

function summarize(before: Definition, after: Definition): string[] {
  const out: string[] = [];
  for (const key of ['title', 'description'] as const) {
    if (canonicalJson(before[key]) !== canonicalJson(after[key])) out.push(`${key} changed`);
  }
  for (const [key, label] of [['inputSchema', 'input'], ['outputSchema', 'output']] as const) {
    out.push(...schemaChanges(label, before[key] as Definition | undefined, after[key] as Definition | undefined));
  }
  const annotations = new Set([...Object.keys((before.annotations as Definition) ?? {}), ...Object.keys((after.annotations as Definition) ?? {})]);
  for (const key of annotations) {
    const was = (before.annotations as Definition | undefined)?.[key];
    const is = (after.annotations as Definition | undefined)?.[key];
    if (canonicalJson(was) !== canonicalJson(is)) out.push(`annotation ${key}: ${JSON.stringify(was) ?? 'unset'} → ${JSON.stringify(is) ?? 'unset'}`);
  }
  return out;
}

function schemaChanges(label: string, before: Definition | undefined, after: Definition | undefined): string[] {
  if (canonicalJson(before) === canonicalJson(after)) return [];
  const props = (schema: Definition | undefined) => (schema?.properties ?? {}) as Record<string, unknown>;
  const required = (schema: Definition | undefined) => new Set((schema?.required ?? []) as string[]);
  const out: string[] = [];
  const [was, is] = [props(before), props(after)];
  for (const name of Object.keys(is)) {
    if (!(name in was)) out.push(`${label}: new parameter "${name}"${required(after).has(name) ? ' (required)' : ''}`);
    else if (canonicalJson(was[name]) !== canonicalJson(is[name])) out.push(`${label}: parameter "${name}" changed`);
  }
  for (const name of Object.keys(was)) if (!(name in is)) out.push(`${label}: parameter "${name}" removed`);
  for (const name of required(after)) if (!required(before).has(name) && name in was) out.push(`${label}: "${name}" is now required`);
  return out.length > 0 ? out : [`${label} schema changed`];
}

function pretty(value: unknown): string[] {
  return JSON.stringify(JSON.parse(canonicalJson(value)), null, 2).split('\n');
}

/** A longest-common-subsequence line diff; tool definitions are small, so O(n·m) is fine. */
function lineDiff(a: string[], b: string[]): string {
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  const lines: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      lines.push(`  ${a[i++]}`);
      j++;
    } else if (j < b.length && (i === a.length || lcs[i]![j + 1]! > lcs[i + 1]![j]!)) {
      lines.push(`+ ${b[j++]}`);
    } else {
      lines.push(`- ${a[i++]}`);
    }
  }
  return lines.join('\n');
}
