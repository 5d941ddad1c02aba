import { writeSync } from 'node:fs';

/**
 * Writes a command's output to stdout without `process.stdout`, whose first use loads node:stream
 * (and node:tty or node:net for a terminal or a pipe): 3 ms and more of a list command's start-up.
 * Blocking, as process.stdout is for files, pipes and terminals on Linux and macOS; a non-blocking
 * pipe that is full is waited out, and a reader that went away (`| head`) ends the output quietly.
 * Windows keeps process.stdout, which writes Unicode to its console.
 */
export function writeStdout(text: string): void {
  if (process.platform === 'win32') {
    process.stdout.write(text);
    return;
  }
  let rest = Buffer.from(text);
  while (rest.length > 0) {
    try {
      rest = rest.subarray(writeSync(1, rest));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') return;
      if (code !== 'EAGAIN') throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}
