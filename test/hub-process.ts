import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, root, testEnv } from './helpers.js';

/** A `procdock serve` child for a test, with its URL and keys. */
export interface ServedHub {
  child: ChildProcess;
  url: string;
  home: string;
  output(): string;
  key(resource?: string): Promise<string>;
  adminToken(): string;
  stop(): Promise<number | null>;
}

export function serveHub(home: string, args: string[] = [], env: Record<string, string> = {}): Promise<ServedHub> {
  const child = spawn(process.execPath, [join(root, 'bin', 'procdock'), 'serve', '--port', '0', ...args], {
    env: testEnv(home, { PROCDOCK_LOG_LEVEL: 'warn', ...env }),
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hub did not start: ${output}`)), 30_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /INFERENCE_URL=(\S+)/.exec(output)?.[1];
      if (!url) return;
      clearTimeout(timer);
      resolve({
        child,
        url,
        home,
        output: () => output,
        key: async (resource = 'default') =>
          /INFERENCE_KEY=(\S+)/.exec((await cli(home, ['key', '--resource', resource])).stdout)?.[1] ?? '',
        adminToken: () => (JSON.parse(readFileSync(join(home, 'hub.json'), 'utf8')) as { token: string }).token,
        stop: async () => {
          if (child.exitCode !== null) return child.exitCode;
          const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
          child.kill('SIGTERM');
          return exited;
        },
      });
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) => reject(new Error(`hub exited ${code}: ${output}`)));
  });
}
