import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkMount, describeMount, parseMountSpec } from './host-mounts.js';

describe('host folder grants', () => {
  it('parses HOST:CONTAINER[:rw|:ro], resolving a relative host path against the caller’s folder', () => {
    expect(parseMountSpec('notes:/notes', '/home/me')).toEqual({ host_path: '/home/me/notes', container_path: '/notes', read_write: false });
    expect(parseMountSpec('/srv/a:/a:rw', '/x')).toEqual({ host_path: '/srv/a', container_path: '/a', read_write: true });
    expect(parseMountSpec('/srv/a:/a:ro', '/x').read_write).toBe(false);
    expect(parseMountSpec('C:\\Users\\me\\notes:/notes', '/x').host_path).toBe('C:\\Users\\me\\notes');
    expect(() => parseMountSpec('/only-one-side', '/x')).toThrow('is not HOST_PATH:CONTAINER_PATH[:rw]');
  });

  it('refuses an engine socket reached through DOCKER_HOST, and a folder holding it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mounts-'));
    const env = { DOCKER_HOST: `unix://${join(dir, 'engine', 'docker.sock')}` };
    expect(() => checkMount({ host_path: dir, container_path: '/x', read_write: false }, '/nowhere', env)).toThrow(/container engine’s socket/);
    expect(checkMount({ host_path: dir, container_path: '/x', read_write: false }, '/nowhere', {}).host_path).toBe(dir);
  });

  it('describes a grant as reads or writes', () => {
    expect(describeMount({ host_path: '/srv/a', container_path: '/a', read_write: true })).toBe('writes /srv/a at /a');
    expect(describeMount({ host_path: '/srv/a', container_path: '/a', read_write: false })).toBe('reads /srv/a at /a');
  });
});
