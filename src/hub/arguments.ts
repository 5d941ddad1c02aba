import { AppError } from '../shared/errors.js';

/** How deep a tool's arguments may nest: far past any real schema, well short of a stack overflow. */
export const maxArgumentDepth = 64;

/** How large a tool's arguments may be, as JSON. */
export const maxArgumentBytes = 4 * 1024 * 1024;

/** Refuses arguments nested or sized past the limits, before anything is run or recorded. */
export function checkArguments(args: unknown): void {
  // Iterative, so the check itself cannot overflow the stack it protects.
  const stack: [unknown, number][] = [[args, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > maxArgumentDepth) {
      throw new AppError('invalid_input', `the arguments nest deeper than ${maxArgumentDepth} levels`);
    }
    for (const child of Object.values(value)) stack.push([child, depth + 1]);
  }
  if (Buffer.byteLength(JSON.stringify(args)) > maxArgumentBytes) {
    throw new AppError('invalid_input', `the arguments are over ${maxArgumentBytes / 1024 / 1024} MiB as JSON`);
  }
}
