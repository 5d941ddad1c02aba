import { chownSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerView, VolumeView } from '../src/shared/api.js';
import { containersOf, dockerEngine, homeLabel, testNodeImage, volumesOf } from './docker.js';
import { cleanupTempDirs, cli, dumpCatalog, fixtureFiles, freshHome, makeNpmApp, tempDir, writeApp } from './helpers.js';
import { serveHub } from './hub-process.js';

const docker = await dockerEngine();

afterAll(cleanupTempDirs);

const text = (stdout: string) => (JSON.parse(stdout) as { content: { text: string }[] }).content.map((c) => c.text).join('\n');

describe.skipIf(!docker)('app volumes: server-memory keeps its graph', () => {
  let home: string;
  let label: string;

  beforeAll(async () => {
    home = freshHome();
    label = await homeLabel(home);
    const app = makeNpmApp('mcp-memory: mcp-server-memory\n', ['@modelcontextprotocol/server-memory'], 'notes', {
      'procdock.json': JSON.stringify({ servers: { 'mcp-memory': { volumes: ['/data'] } } }),
    });
    const added = await cli(home, ['apps:add', app]);
    expect(added.code, added.stderr).toBe(0);
    expect((await cli(home, ['config:set', 'notes', 'MEMORY_FILE_PATH=/data/memory.jsonl'])).code).toBe(0);
  });

  it('remembers an entity across calls, each in a fresh container', async () => {
    const entity = { entities: [{ name: 'Procdock', entityType: 'project', observations: ['keeps state in /data'] }] };
    const created = await cli(home, ['call', 'create_entities', '--args', JSON.stringify(entity)]);
    expect(created.code, created.stdout + created.stderr).toBe(0);
    const read = await cli(home, ['call', 'read_graph']);
    expect(read.code).toBe(0);
    expect(text(read.stdout)).toContain('keeps state in /data');
    const [first, second] = JSON.parse((await cli(home, ['calls', '--json', '--limit', '2'])).stdout) as { container_id: string }[];
    expect(first!.container_id).not.toBe(second!.container_id);
  });

  it('shows the volume on the server and in procdock volumes, with its size', async () => {
    const [server] = JSON.parse((await cli(home, ['servers', '--json'])).stdout) as ServerView[];
    expect(server).toMatchObject({ lifetime: 'call', volumes: ['/data'], mounts: [] });
    expect((await cli(home, ['servers'])).stdout).toContain('volume /data: kept across calls');
    const volumes = JSON.parse((await cli(home, ['volumes', 'notes', '--json'])).stdout) as VolumeView[];
    expect(volumes).toEqual([expect.objectContaining({ app: 'notes', process_type: 'mcp-memory', container_path: '/data' })]);
    expect(volumes[0]!.size).toBeGreaterThan(0);
    expect((await volumesOf(docker!, label)).map((v) => v.Name)).toEqual([volumes[0]!.name]);
  });

  it('keeps it across a hub restart and a rebuild', async () => {
    const hub = await serveHub(home);
    try {
      const read = await cli(home, ['call', 'read_graph']);
      expect(text(read.stdout)).toContain('keeps state in /data');
    } finally {
      await hub.stop();
    }
    const app = JSON.parse((await cli(home, ['apps', '--json'])).stdout)[0].path as string;
    writeFileSync(join(app, 'README.md'), 'a change, so the image is rebuilt');
    expect((await cli(home, ['apps:build', 'notes'])).code).toBe(0);
    expect(text((await cli(home, ['call', 'read_graph'])).stdout)).toContain('keeps state in /data');
  });

  it('goes with apps:remove, leaving no volume and no container of the app', async () => {
    expect((await cli(home, ['apps:remove', 'notes'])).code).toBe(0);
    expect(await volumesOf(docker!, label)).toEqual([]);
    expect(await containersOf(docker!, label)).toEqual([]);
  });

  it('stays with apps:remove --keep-data', async () => {
    const keep = freshHome();
    const app = makeNpmApp('mcp-memory: mcp-server-memory\n', ['@modelcontextprotocol/server-memory'], 'kept', {
      'procdock.json': JSON.stringify({ servers: { 'mcp-memory': { volumes: ['/data'] } } }),
    });
    expect((await cli(keep, ['apps:add', app])).code).toBe(0);
    expect((await cli(keep, ['call', 'read_graph'])).code).toBe(0);
    expect((await cli(keep, ['apps:remove', 'kept', '--keep-data'])).stdout).toContain('its volumes are kept');
    const left = await volumesOf(docker!, await homeLabel(keep));
    expect(left).toHaveLength(1);
    await docker!.getVolume(left[0]!.Name).remove();
  });
});

describe.skipIf(!docker)('host folders: server-filesystem sees what the user grants', () => {
  let home: string;
  let notes: string;
  const owner = 1234;

  beforeAll(async () => {
    home = freshHome();
    // A folder of an ordinary user (not root): the container runs as its owner.
    notes = join(tempDir(), 'notes');
    mkdirSync(notes);
    writeFileSync(join(notes, 'todo.txt'), 'water the plants\n');
    chownSync(notes, owner, owner);
    chownSync(join(notes, 'todo.txt'), owner, owner);
    const app = makeNpmApp('mcp-files: mcp-server-filesystem /notes\n', ['@modelcontextprotocol/server-filesystem'], 'files');
    const added = await cli(home, ['apps:add', app]);
    // Without the folder the server cannot start: the sync says why.
    expect(added.code).toBe(1);
    expect(added.stdout).toContain('error');
  });

  it('sees a folder granted read-only (a relative path, from the caller’s folder), and cannot write it', async () => {
    const granted = await cli(home, ['mounts:add', 'files', './notes:/notes'], {}, '', dirname(notes));
    expect(granted.code, granted.stderr).toBe(0);
    expect(granted.stdout).toContain(`reads ${notes} at /notes`);
    const [server] = JSON.parse((await cli(home, ['servers', '--json'])).stdout) as ServerView[];
    expect(server).toMatchObject({ primitives_status: 'synced', mounts: [expect.objectContaining({ host_path: notes, read_write: false })] });
    const read = await cli(home, ['call', 'read_text_file', '--args', '{"path":"/notes/todo.txt"}']);
    expect(text(read.stdout)).toContain('water the plants');
    const write = await cli(home, ['call', 'write_file', '--args', '{"path":"/notes/new.txt","content":"x"}']);
    expect(write.code).toBe(1);
    expect(text(write.stdout)).toMatch(/read-only file system|EROFS/i);
    expect(existsSync(join(notes, 'new.txt'))).toBe(false);
  });

  it('writes with :rw, and what it writes belongs to the folder’s user', async () => {
    expect((await cli(home, ['mounts:remove', 'files', '/notes'])).code).toBe(0);
    expect((await cli(home, ['mounts:add', 'files', `${notes}:/notes:rw`])).stdout).toContain(`writes ${notes} at /notes`);
    const write = await cli(home, ['call', 'write_file', '--args', '{"path":"/notes/new.txt","content":"from the server"}']);
    expect(write.code, write.stdout).toBe(0);
    expect(readFileSync(join(notes, 'new.txt'), 'utf8')).toBe('from the server');
    expect(statSync(join(notes, 'new.txt')).uid).toBe(owner);
  });

  it.each([
    ['a path that does not exist', () => '/no/such/folder:/x', /\/no\/such\/folder: no such file or folder/],
    ['the whole file system', () => '/:/host', /the whole file system cannot be granted/],
    ['the data dir', () => `${home}:/x`, /holds Procdock's data dir/],
    ['a folder that holds the data dir', () => `${dirname(home)}:/x`, /holds Procdock's data dir/],
    ['the Docker socket', () => '/var/run/docker.sock:/var/run/docker.sock', /is a socket|container engine’s socket|system folder/],
    ['a system folder', () => '/etc:/etc-copy', /\/etc is a system folder/],
    ['a symlink to a system folder', () => `${linkTo('/etc')}:/x`, /\/etc is a system folder/],
    ['a container path that is not absolute', () => `${notes}:relative`, /container path relative: must be an absolute path/],
    ['a container path in a system folder', () => `${notes}:/proc/x`, /container path \/proc\/x: must not be \//],
  ])('refuses %s and changes nothing', async (_case, spec, message) => {
    const before = dumpCatalog(home);
    const run = await cli(home, ['mounts:add', 'files', spec()]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(dumpCatalog(home)).toEqual(before);
  });

  it.skipIf(process.getuid?.() !== 0)('refuses :rw on a folder only root may write, under a hub run as root: the server never runs as root', async () => {
    const before = dumpCatalog(home);
    const rootOnly = join(tempDir(), 'root-only');
    mkdirSync(rootOnly, { mode: 0o755 });
    const run = await cli(home, ['mounts:add', 'files', `${rootOnly}:/x:rw`]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(
      `procdock: ${rootOnly} belongs to root, and a server never runs as root, so it could not write there: give the folder to a user (chown USER ${rootOnly}), or grant it read-only; nothing was granted`,
    );
    expect(dumpCatalog(home)).toEqual(before);
    // Read-only it may have.
    expect((await cli(home, ['mounts:add', 'files', `${rootOnly}:/x`])).code).toBe(0);
    expect((await cli(home, ['mounts:remove', 'files', '/x'])).code).toBe(0);
  });

  it.skipIf(process.getuid?.() !== 0)('refuses a folder only root may read, under a hub run as root, even read-only (as /root is)', async () => {
    const before = dumpCatalog(home);
    const closed = join(tempDir(), 'closed');
    mkdirSync(closed, { mode: 0o700 });
    for (const spec of [`${closed}:/x`, `${closed}:/x:rw`]) {
      const run = await cli(home, ['mounts:add', 'files', spec]);
      expect(run.code).toBe(1);
      expect(run.stderr.trim()).toBe(
        `procdock: ${closed} belongs to root, and only root may read it, but a server never runs as root, so it could not read there: give the folder to a user (chown USER ${closed}), or let others read it (chmod o+rx ${closed}); nothing was granted`,
      );
    }
    expect(dumpCatalog(home)).toEqual(before);
  });
});

function linkTo(target: string): string {
  const link = join(tempDir(), 'link');
  symlinkSync(target, link);
  return link;
}

describe.skipIf(!docker)('an image’s own VOLUME lines', () => {
  it('leave no anonymous volume behind after calls, syncs and warm containers', async () => {
    const home = freshHome();
    const app = writeApp({
      Procfile: 'mcp-probe: node probe.mjs\n',
      Dockerfile: `FROM ${testNodeImage}\nVOLUME /scratch\nWORKDIR /app\nCOPY . /app\n`,
      ...fixtureFiles('probe.mjs'),
    });
    expect((await cli(home, ['apps:add', app])).code).toBe(0);
    const hub = await serveHub(home);
    const seen = new Set<string>();
    try {
      // Watch the containers while calls run, and note each anonymous volume they get.
      const watching = watchVolumes(docker!, await homeLabel(home), seen);
      for (let i = 0; i < 3; i++) expect((await cli(home, ['call', 'slow', '--args', '{"ms":300}'])).code).toBe(0);
      await watching.stop();
    } finally {
      await hub.stop();
    }
    expect(seen.size).toBeGreaterThan(0);
    for (const name of seen) await expect(docker!.getVolume(name).inspect()).rejects.toMatchObject({ statusCode: 404 });
  }, 120_000);
});

function watchVolumes(engine: Docker, label: string, seen: Set<string>): { stop(): Promise<void> } {
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const container of await containersOf(engine, label)) {
        for (const mount of container.Mounts ?? []) if (mount.Type === 'volume' && mount.Destination === '/scratch' && mount.Name) seen.add(mount.Name);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
    },
  };
}
