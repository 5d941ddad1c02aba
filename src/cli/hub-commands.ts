import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { ensureDataDir, resolveDataDir } from '../hub/data-dir.js';
import { AppError } from '../shared/errors.js';
import { dataCommand, portNumber, print } from './cli-kit.js';
import { runningHub } from './session.js';

/** serve, start, ui and doctor: running the hub and looking at it. */
export function registerHubCommands(program: Command): void {
  program
    .command('serve')
    .description('run the headless hub: HTTP API, toolkit and web UI')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port (0 picks a free one)', portNumber, 7420)
    .option('--open', 'open the UI in a browser', false)
    .option('--no-auth', 'accept /mcp and /v1 requests without a key (protocol test suites only; loopback only)')
    .action(async (o: { host: string; port: number; open: boolean; auth: boolean }) => {
      const { serve } = await import('./serve.js');
      await serve(o);
    });

  program
    .command('start')
    .description('start the desktop app (or, without Electron, serve --open)')
    .action(async () => {
      const { serve } = await import('./serve.js');
      const { electronBinary } = await import('../hub/doctor.js');
      const electron = electronBinary();
      const options = { host: '127.0.0.1', port: 7420, portFallback: true };
      if (!electron) {
        process.stderr.write('No Electron runtime is installed: running the hub with its web UI instead (procdock serve --open).\n');
        return serve({ ...options, open: true });
      }
      const shell = fileURLToPath(new URL('../..', import.meta.url));
      // The hub runs here, in Node; the window is a thin client of it, so Electron never loads the
      // hub's native modules (better-sqlite3 is built for Node, not for Electron's ABI).
      return serve({ ...options, open: false }, ({ url, token }) =>
        new Promise<void>((resolve) => {
          const child = spawn(electron, [shell], { stdio: 'inherit', env: { ...process.env, PROCDOCK_HUB_URL: url, PROCDOCK_HUB_TOKEN: token } });
          child.once('exit', () => resolve());
          child.once('error', (error) => {
            process.stderr.write(`procdock: cannot start Electron: ${error.message}\n`);
            resolve();
          });
        }),
      );
    });

  dataCommand(program, 'ui', 'print the UI link of the running hub (with its token) and open it in a browser')
    .option('--no-open', 'only print the link')
    .action(async (o: { json?: boolean; open: boolean }) => {
      const dataDir = ensureDataDir(resolveDataDir());
      const hub = runningHub(dataDir);
      if (!hub) throw new AppError('not_found', `no hub runs for ${dataDir}: start one with procdock serve (or npm start)`);
      const link = `${hub.url}/#token=${hub.token}`;
      print(!!o.json, { url: hub.url, link }, () => `UI: ${link}`);
      if (!o.open) return;
      // The browser gets a one-time code, never the token itself: a command line is visible to every user.
      const response = await fetch(`${hub.url}/api/ui-link`, { method: 'POST', headers: { authorization: `Bearer ${hub.token}` } });
      if (!response.ok) throw new AppError('unavailable', `the hub at ${hub.url} answered ${response.status}`);
      const { code } = (await response.json()) as { code: string };
      const { openBrowser } = await import('./serve.js');
      openBrowser(`${hub.url}/#code=${code}`);
    });

  dataCommand(program, 'doctor', 'check what Procdock needs: Node, the Docker engine, base images, data dir, port, Electron, Chromium')
    .option('--port <port>', 'the port the hub should use', portNumber, 7420)
    .action(async (o: { json?: boolean; port: number }) => {
      const { runDoctor, describeChecks } = await import('../hub/doctor.js');
      const checks = await runDoctor({ port: o.port });
      print(!!o.json, checks, () => describeChecks(checks));
      if (checks.some((c) => c.status === 'fail')) process.exitCode = 1;
    });
}
