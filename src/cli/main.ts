import { Command } from 'commander';
import { registerAppCommands } from './apps-commands.js';
import { describeFailure } from './failure.js';
import { registerHubCommands } from './hub-commands.js';
import { registerKeyCommands } from './keys-commands.js';
import { registerModelCommands } from './models-commands.js';
import { registerStateCommands } from './state-commands.js';
import { registerTrustCommands } from './trust-commands.js';

/**
 * The `procdock` command. Only commander and the command tables load up front; each command loads
 * what it needs (the hub, the MCP SDK, dockerode, the model SDKs) when it runs, so `--help` and the
 * list commands answer at once.
 */
export function buildProgram(): Command {
  const program = new Command('procdock')
    .description('A personal MCP hub: Procfile MCP servers, one throwaway sandbox per tool call, one toolkit URL.')
    .version('0.1.0');
  registerHubCommands(program);
  registerAppCommands(program);
  registerModelCommands(program);
  registerStateCommands(program);
  registerTrustCommands(program);
  registerKeyCommands(program);
  return program;
}

/**
 * Runs the CLI. Every failure ends as one line on stderr and a non-zero exit: an expected one says
 * what to do; an unexpected one says where its trace went (the log file in the data dir).
 */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  program.exitOverride();
  // A usage mistake is one line too, with where to read the usage instead of all of it.
  const known = program.commands.find((c) => c.name() === argv[2]);
  const usage = known ? `procdock ${known.name()} --help` : 'procdock --help';
  const outputError = (message: string, write: (text: string) => void) =>
    write(`procdock: ${message.replace(/^error: /, '').trim()} (see ${usage})\n`);
  for (const command of [program, ...program.commands]) command.configureOutput({ outputError });
  const fail = (error: unknown) => {
    process.stderr.write(`procdock: ${describeFailure(error, argv[2] ?? '')}\n`);
    process.exitCode = 1;
  };
  process.on('uncaughtException', (error) => {
    fail(error);
    process.exit(1);
  });
  process.on('unhandledRejection', (error) => {
    fail(error);
    process.exit(1);
  });
  // A reader that went away (`procdock help | head -1`) only ends the output: the command goes on.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') return;
    fail(error);
    process.exit(1);
  });
  // The same for stderr (`procdock call X 2>&1 | head`): with nowhere to say anything, say nothing.
  process.stderr.on('error', () => undefined);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return;
    if (code?.startsWith('commander.')) {
      process.exitCode = 2;
      return;
    }
    fail(error);
  }
}
