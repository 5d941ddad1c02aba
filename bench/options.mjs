// The bench's command line: --rounds=30 style numbers, --only=a,b to run a subset, --quick for
// small rounds, --compare FILE to set this run beside an earlier latest.json.

/** Every section, in the order it runs. */
export const sections = ['cli', 'direct', 'docker', 'cold', 'warm', 'burst', 'toolkit', 'churn'];

/** Sections whose figures are read against another's: asking for one runs the other too. */
const needs = { warm: ['direct'], toolkit: ['direct'], cold: ['docker'] };

const numbers = {
  rounds: { full: 30, quick: 6, help: 'calls per path' },
  spacing: { full: 1500, quick: 800, help: 'ms between warm calls, as an agent spaces them' },
  bursts: { full: 0, quick: 2, help: 'bursts of 8 (0: rounds / 8, at least 3), after one that shows the pool the demand' },
  'burst-spacing': { full: 8000, quick: 6000, help: 'ms between bursts: an agent turn, and time for the grown pool to refill' },
  churn: { full: 500, quick: 40, help: 'calls in the churn' },
  'cli-runs': { full: 15, quick: 5, help: 'runs of each CLI command' },
};

const usage = [
  'usage: npm run bench -- [--quick] [--only=SECTION,...] [--compare FILE] [--out=DIR] [--NAME=N ...]',
  `  sections: ${sections.join(', ')}`,
  ...Object.entries(numbers).map(([name, n]) => `  --${name}=N  ${n.help} (default ${n.full}, quick ${n.quick})`),
].join('\n');

/** Parses argv (without node and the script); throws an Error with the usage on bad input. */
export function parseOptions(argv) {
  const given = readFlags(argv);
  const quick = given.quick === true;
  const options = { quick, only: selectSections(given.only), compare: given.compare, out: given.out };
  for (const [name, n] of Object.entries(numbers)) {
    options[camel(name)] = given[name] === undefined ? (quick ? n.quick : n.full) : count(name, given[name]);
  }
  const unknown = Object.keys(given).filter((k) => !(k in numbers) && !['quick', 'only', 'compare', 'out', 'help'].includes(k));
  if (given.help || unknown.length) throw new Error(unknown.length ? `unknown option --${unknown[0]}\n${usage}` : usage);
  return options;
}

/** `--name=value`, `--name value` (for --compare and --out) and bare `--flag` (true). */
function readFlags(argv) {
  const flags = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument "${arg}"\n${usage}`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (eq !== -1) flags[name] = arg.slice(eq + 1);
    else if (['compare', 'out', 'only'].includes(name) && argv[i + 1] && !argv[i + 1].startsWith('--')) flags[name] = argv[++i];
    else flags[name] = true;
  }
  return flags;
}

function selectSections(only) {
  if (only === undefined) return [...sections];
  const asked = String(only).split(',').map((s) => s.trim()).filter(Boolean);
  const wrong = asked.find((s) => !sections.includes(s));
  if (wrong || asked.length === 0) throw new Error(`--only takes sections from: ${sections.join(', ')}${wrong ? ` (not "${wrong}")` : ''}`);
  const chosen = new Set(asked.flatMap((s) => [s, ...(needs[s] ?? [])]));
  return sections.filter((s) => chosen.has(s));
}

function count(name, value) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} takes a whole number, not "${value}"`);
  return n;
}

const camel = (name) => name.replace(/-(\w)/g, (_, c) => c.toUpperCase());
