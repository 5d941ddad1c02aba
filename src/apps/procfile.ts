import { AppError } from '../shared/errors.js';

export interface ProcfileEntry {
  name: string;
  command: string;
  /** 1-based line number in the Procfile. */
  line: number;
}

const entryPattern = /^([A-Za-z0-9_-]+):[ \t]*(.*)$/;
/**
 * A process name's length, at most: it prefixes every tool name the server offers, and clients cut
 * or refuse long tool names.
 */
const maxProcessNameLength = 48;

/**
 * Parses a Procfile with the grammar Heroku and foreman use: `name: command` per line, `#` comments,
 * blank lines, LF or CRLF. A malformed line or a name given twice is refused with the file and line.
 */
export function parseProcfile(text: string, file = 'Procfile'): ProcfileEntry[] {
  const entries: ProcfileEntry[] = [];
  const seen = new Map<string, number>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const match = entryPattern.exec(trimmed);
    if (!match) {
      throw new AppError(
        'procfile',
        `${file}:${line}: malformed line ${JSON.stringify(clip(trimmed))}: expected "name: command" where name holds only letters, digits, - and _`,
      );
    }
    const name = match[1] ?? '';
    const command = (match[2] ?? '').trim();
    if (name.length > maxProcessNameLength) {
      throw new AppError('procfile', `${file}:${line}: process name "${clip(name)}" is ${name.length} characters long: at most ${maxProcessNameLength}`);
    }
    if (command === '') {
      throw new AppError('procfile', `${file}:${line}: process "${name}" has no command`);
    }
    const first = seen.get(name);
    if (first !== undefined) {
      throw new AppError('procfile', `${file}:${line}: process "${name}" is already defined on line ${first}`);
    }
    seen.set(name, line);
    entries.push({ name, command, line });
  });
  return entries;
}

/** MCP servers are the Procfile processes whose name starts with `mcp` (Heroku's rule). */
export function isMcpProcess(name: string): boolean {
  return name.startsWith('mcp');
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
