import { logUnexpected, resolveDataDir } from '../hub/data-dir.js';
import { isAppError } from '../shared/errors.js';

/**
 * A failure as the one line the CLI prints: an expected one says what to do; an unexpected one
 * says where its trace went (the log file in the data dir).
 */
export function describeFailure(error: unknown, command: string): string {
  if (isAppError(error)) return error.message;
  // Only the command's name is logged: its arguments may hold secrets (config:set KEY=VALUE).
  const file = logUnexpected(resolveDataDir(), `procdock ${command} failed`, error);
  const message = error instanceof Error ? error.message : String(error);
  return `unexpected error: ${message.split('\n')[0]} (the trace is in ${file})`;
}
