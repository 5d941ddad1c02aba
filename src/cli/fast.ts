import { readFileSync } from 'node:fs';
import { describeFailure } from './failure.js';
import { listCommands } from './list-commands.js';
import { writeStdout } from './stdout.js';

/**
 * The commands people run most, without commander: `--help` (its text written at build time from
 * the full program) and the list commands with their own flags. Anything else, or any flag this
 * does not know, goes to the full CLI, which parses and refuses as usual. Returns whether it ran.
 */
export async function runFast(argv: string[]): Promise<boolean> {
  const [command, ...rest] = argv.slice(2);
  if ((command === '--help' || command === '-h') && rest.length === 0) {
    const help = helpText();
    if (help === undefined) return false;
    writeStdout(help);
    return true;
  }
  const options =
    command === 'apps' || command === 'servers' || command === 'calls' ? listOptions(command, rest) : undefined;
  if (!options) return false;
  try {
    if (command === 'apps') await listCommands.apps(options);
    else if (command === 'servers') await listCommands.servers(options);
    else await listCommands.calls({ ...options, limit: options.limit ?? 20 });
  } catch (error) {
    process.stderr.write(`procdock: ${describeFailure(error, command ?? '')}\n`);
    process.exitCode = 1;
  }
  return true;
}

interface ListOptions {
  json?: boolean;
  resource?: string;
  limit?: number;
}

/** The flags a list command takes, or undefined for anything else (the full CLI then explains). */
function listOptions(command: 'apps' | 'servers' | 'calls', args: string[]): ListOptions | undefined {
  const options: ListOptions = {};
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
    const value = () => inline ?? args[++i];
    if (flag === '--json' && inline === undefined) options.json = true;
    else if (flag === '--resource' && command === 'servers') {
      const resource = value();
      if (!resource || resource.startsWith('-')) return undefined;
      options.resource = resource;
    } else if (flag === '--limit' && command === 'calls') {
      const limit = Number(value());
      if (!Number.isInteger(limit) || limit < 1) return undefined;
      options.limit = limit;
    } else return undefined;
  }
  return options;
}

/** `procdock --help` as the full program prints it, written next to this module by the build. */
function helpText(): string | undefined {
  try {
    return readFileSync(new URL('./help.txt', import.meta.url), 'utf8');
  } catch {
    return undefined;
  }
}
