import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchBrowser } from './browser.js';
import { dockerEngine } from './docker.js';
import { cleanupTempDirs, root, tempDir, testBaseImage } from './helpers.js';

const ready = browserAvailable() && (await dockerEngine()) !== undefined;

/** The first ```sh block under a README heading, as a user would copy it. */
function readmeBlock(heading: string): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf(`\n## ${heading}\n`));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error(`README.md has no sh block under "## ${heading}"`);
  return block;
}

function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => resolve({ code: code ?? 1, output }));
  });
}

describe.skipIf(!ready)('the README, typed as written by a new user', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  let hub: ChildProcess;
  let hubOutput = '';
  /** The first app the empty Servers page suggests, as the page shows it. */
  let suggested = '';

  beforeAll(async () => {
    // A HOME with nothing in it and no PROCDOCK_HOME: the data dir does not exist yet.
    home = join(tempDir(), 'home');
    mkdirSync(home);
    const bin = join(home, 'bin');
    mkdirSync(bin);
    symlinkSync(join(root, 'bin', 'procdock'), join(bin, 'procdock'));
    env = {
      PATH: `${bin}:${process.env.PATH ?? ''}`,
      HOME: home,
      // Only the node base image differs from a user's machine: Docker Hub cannot be reached here.
      PROCDOCK_BASE_IMAGE_NODE: testBaseImage,
      npm_config_cache: join(tempDir(), 'npm-cache'),
    };
    hub = spawn('npm', ['start'], { cwd: root, env, detached: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm start did not come up: ${hubOutput}`)), 60_000);
      const read = (chunk: Buffer) => {
        hubOutput += chunk.toString();
        if (/UI: +http:\/\/127\.0\.0\.1:\d+\/#token=\S+/.test(hubOutput)) {
          clearTimeout(timer);
          resolve();
        }
      };
      hub.stdout?.on('data', read);
      hub.stderr?.on('data', read);
      hub.once('exit', (code) => reject(new Error(`npm start exited ${code}: ${hubOutput}`)));
    });
  }, 90_000);

  afterAll(async () => {
    if (hub?.pid && hub.exitCode === null) {
      const exited = new Promise((resolve) => hub.once('exit', resolve));
      process.kill(-hub.pid, 'SIGTERM');
      await exited;
    }
    cleanupTempDirs();
  });

  it('npm start creates the data dir (0700) and prints a UI link that opens the Servers page', async () => {
    const dataDir = join(home, '.local', 'share', 'procdock');
    expect(hubOutput).toContain(`Data dir: ${dataDir}`);
    const { statSync } = await import('node:fs');
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    const link = /UI: +(\S+)/.exec(hubOutput)![1]!;
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(link);
      await page.getByRole('button', { name: 'Servers' }).waitFor();
      await page.getByText(/No apps yet|apps:add/).first().waitFor();
      suggested = (await page.locator('.empty pre.command').textContent()) ?? '';
    } finally {
      await browser.close();
    }
  });

  it('runs "A first app" verbatim: bare bin names in Docker, from the app’s own folder', async () => {
    const work = join(home, 'work');
    mkdirSync(work);
    const script = readmeBlock('A first app');
    const { code, output } = await run('bash', ['-e', '-o', 'pipefail', '-c', script], { cwd: work, env });
    expect(code, output).toBe(0);
    expect(output).toContain('Echo: hi');
    expect(output).toMatch(/notes\/mcp-everything in docker sandbox/);
    expect(output).toMatch(/echo\s+notes\/mcp-everything\s+ok/);
    // read_graph ran in another container than create_entities, and saw its entity.
    expect(output).toMatch(/read_graph\s+notes\/mcp-memory\s+ok/);
    expect(output.slice(output.lastIndexOf('"entities"'))).toContain('likes tea');
    expect(output).not.toMatch(/not found|procdock: /);
  }, 300_000);

  it('runs the first app the empty Servers page suggests, verbatim: its memory graph outlives the call that wrote it', async () => {
    const work = join(home, 'suggested');
    mkdirSync(work);
    expect(suggested).toContain('mcp-server-memory');
    const script = [
      suggested,
      // A resource of its own: the README's first app has an mcp-memory too, on the default one.
      'procdock models:create suggested --provider openai --model gpt-4o',
      'procdock apps:add . --name suggested --attach suggested',
      `procdock call create_entities --resource suggested --args '{"entities":[{"name":"tea","entityType":"drink","observations":["green"]}]}'`,
      'procdock call read_graph --resource suggested',
    ].join('\n');
    const { code, output } = await run('bash', ['-e', '-o', 'pipefail', '-c', script], { cwd: work, env });
    expect(code, output).toBe(0);
    expect(output.slice(output.lastIndexOf('"entities"'))).toContain('green');
    expect((await run('procdock', ['apps:remove', 'suggested'], { cwd: work, env })).code).toBe(0);
    expect((await run('procdock', ['models:remove', 'suggested'], { cwd: work, env })).code).toBe(0);
  }, 300_000);

  it('runs "Files from your machine" verbatim: a folder of the user’s, granted at apps:add', async () => {
    // It follows "A first app": run from that app's folder, it puts its own beside it.
    const work = join(home, 'work2', 'notes');
    mkdirSync(work, { recursive: true });
    const { code, output } = await run('bash', ['-e', '-o', 'pipefail', '-c', readmeBlock('Files from your machine')], { cwd: work, env });
    expect(code, output).toBe(0);
    expect(output).toContain('water the plants');
    expect(output).toMatch(/\/todo\s+\S+\/todo\s+read-only\s+all/);
    expect(existsSync(join(home, 'work2', 'files', 'Procfile'))).toBe(true);
    expect(output).not.toMatch(/not found|procdock: /);
  }, 300_000);
});
