import { describe, expect, it } from 'vitest';
import { isIgnored, parseDockerignore } from './dockerignore.js';

const ignored = (patterns: string, path: string) => isIgnored(parseDockerignore(patterns), path);

describe('.dockerignore with Docker’s semantics', () => {
  it.each([
    ['secrets', 'secrets/.env', true],
    ['/secrets/', 'secrets/.env', true],
    ['./secrets', 'secrets', true],
    ['*.log', 'a.log', true],
    ['*.log', 'logs/a.log', false],
    ['**/*.log', 'a.log', true],
    ['**/*.log', 'src/deep/b.log', true],
    ['src/**', 'src/a/b.js', true],
    ['src/**/test', 'src/test', true],
    ['src/**/test', 'src/a/b/test/x.js', true],
    ['?.txt', 'a.txt', true],
    ['?.txt', 'ab.txt', false],
    ['[a-c].txt', 'b.txt', true],
    ['[^a-c].txt', 'b.txt', false],
    ['\\*.txt', '*.txt', true],
    ['\\*.txt', 'a.txt', false],
    ['# a comment', '# a comment', false],
    ['a/../b', 'b', true],
  ])('%s against %s: ignored %s', (patterns, path, expected) => {
    expect(ignored(patterns, path)).toBe(expected);
  });

  it('lets the last matching pattern decide, so ! brings a path back', () => {
    const patterns = '*.md\n!README.md\n';
    expect(ignored(patterns, 'CHANGES.md')).toBe(true);
    expect(ignored(patterns, 'README.md')).toBe(false);
    expect(ignored(`${patterns}README*\n`, 'README.md')).toBe(true);
  });

  it('matches a pattern built to backtrack in linear time', () => {
    const patterns = parseDockerignore(`${'a**'.repeat(12)}b\n`);
    // A backtracking matcher takes minutes on the first path; the automaton answers at once.
    expect(isIgnored(patterns, `${'a/'.repeat(200)}${'a'.repeat(2000)}`)).toBe(false);
    expect(isIgnored(patterns, `${'a/'.repeat(200)}ab`)).toBe(true);
  });

  it('refuses an unterminated character class, naming the line', () => {
    expect(() => parseDockerignore('ok\n[abc\n', '/app/.dockerignore')).toThrow('/app/.dockerignore:2: unterminated character class');
  });
});
