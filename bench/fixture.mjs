// What the bench sets up and tears down: a temporary data dir, the app it registers
// (server-everything as a user would install it), and the count of what a run leaves behind.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hub } from '../dist/hub/hub.js';
import { DockerSandbox } from '../dist/sandbox/docker-sandbox.js';

/** Node 24, as in users' default base image (node:24-slim), unless PROCDOCK_BASE_IMAGE_NODE says. */
const defaultBase = 'procdock-test/node:24';
export const baseImage = process.env.PROCDOCK_BASE_IMAGE_NODE ?? defaultBase;

/** A hub on `home` with the bench's Docker sandbox (not started): the caller closes it. */
export function benchHub(home, options = {}) {
  const sandbox = new DockerSandbox({ dataDir: home, baseImages: { node: baseImage, python: '', ruby: '', go: '' } });
  return new Hub({ dataDir: home, sandbox, ...options });
}

/** A bench data dir with server-everything registered in it; `dispose()` removes both. */
export class BenchFixture {
  constructor(root, docker) {
    this.root = root;
    this.docker = docker;
    this.dir = mkdtempSync(join(tmpdir(), 'procdock-bench-'));
    this.home = join(this.dir, 'home');
    this.homeId = createHash('sha256').update(this.home).digest('hex').slice(0, 12);
  }

  /** Builds the offline base image if needed, then registers and builds the app (with its compile cache). */
  async start() {
    if (baseImage === defaultBase) execFileSync(join(this.root, 'test/images/build-node.sh'), ['24'], { stdio: 'inherit' });
    else execFileSync(join(this.root, 'test/images/build.sh'), [baseImage], { stdio: 'inherit' });
    this.volumesBefore = await this.managedVolumes();
    const hub = this.hub();
    try {
      const added = await hub.run('apps.add', { path: this.writeApp() });
      if (added.build_status !== 'built') throw new Error(`the bench app did not build: ${added.build_error}`);
      this.app = added;
    } finally {
      await hub.close();
    }
  }

  /** A hub on the bench's data dir (not started): the caller closes it. */
  hub(options = {}) {
    return benchHub(this.home, options);
  }

  /** Writes a fixture server from test/fixtures/servers as an app of its own; returns its folder. */
  writeFixtureApp(name, files, procfile) {
    const app = join(this.dir, name);
    mkdirSync(app);
    for (const file of files) writeFileSync(join(app, file), readFileSync(join(this.root, 'test/fixtures/servers', file)));
    writeFileSync(join(app, 'Procfile'), procfile);
    return app;
  }

  /** Containers of this data dir, and Procdock volumes made since `start()`, that still exist. */
  async leftovers() {
    const containers = await this.docker.listContainers({ all: true, filters: { label: [`procdock.home=${this.homeId}`] } });
    const volumes = (await this.managedVolumes()).filter((name) => !this.volumesBefore.includes(name));
    return { containers: containers.length, volumes: volumes.length };
  }

  /** Resolves once no container of this data dir is left (the hub removes a call's after answering). */
  async settled(timeoutMs = 10_000) {
    const until = Date.now() + timeoutMs;
    const label = [`procdock.home=${this.homeId}`];
    while ((await this.docker.listContainers({ all: true, filters: { label } })).length > 0) {
      if (Date.now() > until) throw new Error(`a call's container was still there after ${timeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async dispose() {
    if (this.app) {
      const hub = this.hub();
      await hub.run('apps.remove', { name: this.app.name }).catch(() => undefined);
      await hub.close();
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  async managedVolumes() {
    const { Volumes } = await this.docker.listVolumes({ filters: { label: ['procdock.managed=true'] } });
    return (Volumes ?? []).map((v) => v.Name);
  }

  writeApp() {
    const app = join(this.dir, 'everything');
    mkdirSync(app);
    const manifest = join(this.root, 'node_modules/@modelcontextprotocol/server-everything/package.json');
    const { version } = JSON.parse(readFileSync(manifest, 'utf8'));
    writeFileSync(join(app, 'Procfile'), 'mcp-everything: node node_modules/@modelcontextprotocol/server-everything/dist/index.js stdio\n');
    const pkg = { name: 'bench-everything', private: true, dependencies: { '@modelcontextprotocol/server-everything': version } };
    writeFileSync(join(app, 'package.json'), JSON.stringify(pkg));
    return app;
  }
}
