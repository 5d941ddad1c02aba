import { stepLine } from '../shared/build-lines.js';

/**
 * Shows an image build in the terminal: on a TTY one line redrawn as a bar from Docker's
 * "Step N/M" lines; elsewhere each line as it comes.
 */
export function progressPrinter(stream: NodeJS.WriteStream = process.stderr): { line(text: string): void; done(): void } {
  let drawn = false;
  const width = 24;
  return {
    line(text: string) {
      const step = stepLine.exec(text);
      if (!stream.isTTY) {
        stream.write(`${text}\n`);
        return;
      }
      if (!step) {
        if (!drawn) stream.write(`${text}\n`);
        return;
      }
      const [n, m] = [Number(step[1]), Number(step[2])];
      const filled = Math.round((n / m) * width);
      const label = (step[3] ?? '').slice(0, Math.max(10, (stream.columns ?? 80) - width - 16));
      stream.write(`\r\x1b[2K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${n}/${m} ${label}`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}
