/**
 * `.dockerignore` with Docker's own semantics (moby/patternmatcher), matched in linear time: each
 * pattern is compiled to a small automaton and simulated over the path, so no pattern can make
 * matching backtrack (`a**a**a**…b` costs as much as `a*b`).
 *
 * Docker's rules: lines are trimmed, `#` lines and blank lines skipped, `!` re-includes, a leading
 * `/` and `./` are dropped and the pattern is cleaned like a path; `*` and `?` never cross `/`;
 * `**` (with an optional `/` after it) crosses any number of folders; `[…]` is a character class;
 * `\` escapes. A path is ignored when the last pattern that matches it, or one of its parent
 * folders, is not a `!` pattern.
 */

type Token =
  | { kind: 'char'; char: string }
  | { kind: 'one' } // ?
  | { kind: 'star' } // *
  | { kind: 'folders' } // ** followed by more: (.*/)?
  | { kind: 'rest' } // ** at the end: .*
  | { kind: 'class'; negated: boolean; ranges: [string, string][] };

export interface IgnorePattern {
  source: string;
  exclusion: boolean;
  tokens: Token[];
}

/** Parses a `.dockerignore` text; bad character classes are refused with the line named. */
export function parseDockerignore(text: string, file = '.dockerignore'): IgnorePattern[] {
  const patterns: IgnorePattern[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    let line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const exclusion = line.startsWith('!');
    if (exclusion) line = line.slice(1).trim();
    const cleaned = cleanPath(line);
    if (cleaned === '') return;
    try {
      patterns.push({ source: line, exclusion, tokens: compile(cleaned) });
    } catch (error) {
      throw new Error(`${file}:${index + 1}: ${(error as Error).message}`);
    }
  });
  return patterns;
}

/** Whether `path` (relative, `/`-separated) is left out of the build context. */
export function isIgnored(patterns: readonly IgnorePattern[], path: string): boolean {
  const parents = path.split('/').slice(0, -1);
  let matched = false;
  for (const pattern of patterns) {
    // An inclusion only matters for a path not yet ignored, an exclusion only for one that is.
    if (pattern.exclusion !== matched) continue;
    let match = matches(pattern.tokens, path);
    for (let i = 1; !match && i <= parents.length; i++) match = matches(pattern.tokens, parents.slice(0, i).join('/'));
    if (match) matched = !pattern.exclusion;
  }
  return matched;
}

/** Whether any `!` pattern could bring back something under an ignored folder. */
export function hasExclusions(patterns: readonly IgnorePattern[]): boolean {
  return patterns.some((p) => p.exclusion);
}

/** Go's filepath.Clean, for `/` paths, with the leading `/` dropped as Docker does. */
function cleanPath(pattern: string): string {
  const parts: string[] = [];
  for (const part of pattern.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}

function compile(pattern: string): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') i++;
        tokens.push(i + 1 >= pattern.length ? { kind: 'rest' } : { kind: 'folders' });
      } else {
        tokens.push({ kind: 'star' });
      }
    } else if (ch === '?') {
      tokens.push({ kind: 'one' });
    } else if (ch === '[') {
      const end = classEnd(pattern, i);
      if (end === -1) throw new Error(`unterminated character class in "${pattern}"`);
      tokens.push(parseClass(pattern.slice(i + 1, end)));
      i = end;
    } else if (ch === '\\' && i + 1 < pattern.length) {
      tokens.push({ kind: 'char', char: pattern[++i]! });
    } else {
      tokens.push({ kind: 'char', char: ch });
    }
  }
  return tokens;
}

function classEnd(pattern: string, open: number): number {
  let i = open + 1;
  if (pattern[i] === '^' || pattern[i] === '!') i++;
  if (pattern[i] === ']') i++;
  for (; i < pattern.length; i++) {
    if (pattern[i] === '\\') i++;
    else if (pattern[i] === ']') return i;
  }
  return -1;
}

function parseClass(body: string): Token {
  let i = 0;
  const negated = body[0] === '^' || body[0] === '!';
  if (negated) i++;
  const ranges: [string, string][] = [];
  while (i < body.length) {
    let low = body[i++]!;
    if (low === '\\' && i < body.length) low = body[i++]!;
    let high = low;
    if (body[i] === '-' && i + 1 < body.length) {
      i++;
      high = body[i++]!;
      if (high === '\\' && i < body.length) high = body[i++]!;
    }
    ranges.push([low, high]);
  }
  return { kind: 'class', negated, ranges };
}

/**
 * Runs the pattern's automaton over the path. States are token positions, plus "inside a `**`"
 * states for `folders` tokens; each character advances every live state once: O(pattern × path).
 */
function matches(tokens: readonly Token[], path: string): boolean {
  const n = tokens.length;
  // state k in [0, n]: about to match tokens[k]; state n + 1 + k: inside the `**` of tokens[k].
  let current = closure(tokens, [0]);
  for (const ch of path) {
    const next: number[] = [];
    for (const state of current) {
      if (state > n) {
        const k = state - n - 1;
        next.push(state);
        if (ch === '/') next.push(k + 1);
        continue;
      }
      const token = tokens[state];
      if (!token) continue;
      switch (token.kind) {
        case 'char':
          if (token.char === ch) next.push(state + 1);
          break;
        case 'one':
          if (ch !== '/') next.push(state + 1);
          break;
        case 'star':
          if (ch !== '/') next.push(state);
          break;
        case 'rest':
          next.push(state);
          break;
        case 'class':
          if (inClass(token, ch)) next.push(state + 1);
          break;
        case 'folders':
          break; // entered through the closure
      }
    }
    current = closure(tokens, next);
    if (current.length === 0) return false;
  }
  return current.includes(n);
}

/** Adds the states reachable without reading a character: past `*`, `**` and into `**`. */
function closure(tokens: readonly Token[], states: number[]): number[] {
  const n = tokens.length;
  const seen = new Set<number>();
  const stack = [...states];
  while (stack.length > 0) {
    const state = stack.pop()!;
    if (seen.has(state)) continue;
    seen.add(state);
    const token = state <= n ? tokens[state] : undefined;
    if (!token) continue;
    if (token.kind === 'star' || token.kind === 'rest') stack.push(state + 1);
    if (token.kind === 'folders') stack.push(state + 1, n + 1 + state);
  }
  return [...seen];
}

function inClass(token: Extract<Token, { kind: 'class' }>, ch: string): boolean {
  if (ch === '/') return false;
  const hit = token.ranges.some(([low, high]) => ch >= low && ch <= high);
  return hit !== token.negated;
}
