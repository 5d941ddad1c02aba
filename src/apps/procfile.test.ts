import { describe, expect, it } from 'vitest';
import { AppError } from '../shared/errors.js';
import { isMcpProcess, parseProcfile } from './procfile.js';

describe('parseProcfile', () => {
  it('reads name: command lines, skipping comments and blank lines, with CRLF', () => {
    const text = '# servers\r\nweb: node web.js\r\n\r\nmcp-notes:   node notes.js --stdio  \r\n  # indented comment\nworker:bundle exec sidekiq\n';
    expect(parseProcfile(text)).toEqual([
      { name: 'web', command: 'node web.js', line: 2 },
      { name: 'mcp-notes', command: 'node notes.js --stdio', line: 4 },
      { name: 'worker', command: 'bundle exec sidekiq', line: 6 },
    ]);
  });

  it('keeps colons inside the command', () => {
    expect(parseProcfile('mcp: node -e "console.log(1 ? 2 : 3)"')[0]?.command).toBe('node -e "console.log(1 ? 2 : 3)"');
  });

  it('ignores a byte-order mark', () => {
    expect(parseProcfile('\uFEFFmcp: node s.js')[0]?.name).toBe('mcp');
  });

  it.each([
    ['no colon at all', 'mcp: a\nthis is not a process\n', /Procfile:2: malformed line "this is not a process"/],
    ['a space in the name', 'my server: run\n', /Procfile:1: malformed line/],
    ['an empty command', '\nmcp:   \n', /Procfile:2: process "mcp" has no command/],
    ['the same name twice', 'mcp: a\nweb: b\nmcp: c\n', /Procfile:3: process "mcp" is already defined on line 1/],
  ])('refuses %s, naming the file and line', (_case, text, message) => {
    expect(() => parseProcfile(text, 'Procfile')).toThrow(message);
    expect(() => parseProcfile(text)).toThrow(AppError);
  });

  it('treats only names starting with mcp as MCP servers', () => {
    expect(['mcp', 'mcp-python', 'mcpx'].every(isMcpProcess)).toBe(true);
    expect(['web', 'worker', 'my-mcp', 'MCP'].some(isMcpProcess)).toBe(false);
  });
});
