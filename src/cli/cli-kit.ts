import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { AppError } from '../shared/errors.js';
import { withOperations, type CliOperations } from './session.js';

export { print } from './list-commands.js';

/** Adds a data command to `program`: it takes `--json`. */
export function dataCommand(program: Command, spec: string, description: string): Command {
  return program.command(spec).description(description).option('--json', 'print JSON');
}

/** Runs `work` against the running hub of the data dir, or on the data dir itself. */
export function ops<T>(work: (ops: CliOperations) => Promise<T>): Promise<T> {
  return withOperations((o) => work(o));
}


/** Runs long work on an app while drawing its build progress. */
export async function withProgress<T>(h: CliOperations, quiet: boolean, work: () => Promise<T>): Promise<T> {
  if (quiet) return work();
  const { progressPrinter } = await import('./progress.js');
  const printer = progressPrinter();
  const stop = await h.onDidProgress((event) => printer.line(event.line));
  try {
    return await work();
  } finally {
    stop();
    printer.done();
  }
}

/** A path a user typed, resolved against the caller's working directory (never the hub's). */
export function callerPath(path: string): string {
  return resolve(process.cwd(), path);
}

export function portNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number (0-65535)');
  return n;
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number above 0');
  return n;
}

export function keyValues(pairs: string[]): Record<string, string> {
  return Object.fromEntries(
    pairs.map((pair) => {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new AppError('invalid_input', `"${pair}" is not KEY=VALUE`);
      return [pair.slice(0, eq), pair.slice(eq + 1)];
    }),
  );
}

export function parseJsonObject(text: string, flag: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new AppError('invalid_input', `${flag} is not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new AppError('invalid_input', `${flag} must be a JSON object`);
  return value as Record<string, unknown>;
}

export async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return text;
}
