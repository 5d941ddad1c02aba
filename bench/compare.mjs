// --compare FILE: an earlier run's figures beside this run's, with the ratio now / before.
import { readFileSync } from 'node:fs';

/** Reads an earlier run's JSON; fails with a message naming the file when it is not one. */
export function readPrevious(file) {
  let previous;
  try {
    previous = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`--compare ${file}: ${error.message}`);
  }
  if (!previous?.figures || typeof previous.figures !== 'object') throw new Error(`--compare ${file}: not a bench results file (no "figures")`);
  return previous;
}

/** One row per figure in either run: `{ key, label, unit, previous, now, ratio }` (null when absent). */
export function compareFigures(before, now) {
  const keys = [...new Set([...Object.keys(now), ...Object.keys(before)])];
  return keys.map((key) => {
    const previous = before[key]?.value ?? null;
    const current = now[key]?.value ?? null;
    return { key, label: (now[key] ?? before[key]).label, unit: (now[key] ?? before[key]).unit, previous, now: current, ratio: ratio(previous, current) };
  });
}

function ratio(previous, now) {
  if (previous === null || now === null) return null;
  if (previous === 0) return now === 0 ? 1 : null;
  return Math.round((now / previous) * 1000) / 1000;
}

/** Prints the comparison as an aligned table; ratios past ±10 % are flagged. */
export function printComparison(rows, previous, log) {
  log(`\nCompared with ${previous.startedAt ?? 'an earlier run'} (${previous.machine?.procdock?.commit ?? '?'}): now / before`);
  const width = Math.max(...rows.map((r) => r.label.length));
  for (const row of rows) {
    const flag = row.ratio === null ? '' : row.ratio > 1.1 ? '  ▲' : row.ratio < 0.9 ? '  ▼' : '';
    log(`  ${row.label.padEnd(width)}  ${show(row.previous, row.unit).padStart(14)}  ${show(row.now, row.unit).padStart(14)}  ${row.ratio === null ? '     —' : `${row.ratio.toFixed(2).padStart(5)}×`}${flag}`);
  }
}

/** A figure with its unit, e.g. `12.3 ms`, `0.31×`, `0 containers`. */
export function show(value, unit) {
  if (value === null || value === undefined) return '—';
  const digits = Math.abs(value) >= 100 || Number.isInteger(value) ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  const number = value.toFixed(digits);
  return unit === '×' ? `${number}×` : unit === '%' ? `${number} %` : `${number} ${unit}`.trim();
}
