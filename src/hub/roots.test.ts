import { describe, expect, it } from 'vitest';
import { mapRoots } from './roots.js';

describe('a client’s roots, as a server in a container sees them', () => {
  const mounts = [
    { host_path: '/home/me/notes', container_path: '/notes', read_write: false },
    { host_path: '/srv/data', container_path: '/data', read_write: true },
  ];

  it('maps a root inside a granted folder onto its container path, and leaves out the rest', () => {
    expect(
      mapRoots(
        [
          { uri: 'file:///home/me/notes', name: 'notes' },
          { uri: 'file:///home/me/notes/drafts/today', name: 'today' },
          { uri: 'file:///srv/data' },
          { uri: 'file:///home/me/notes-old', name: 'a sibling, not inside' },
          { uri: 'file:///etc', name: 'never granted' },
          { uri: 'https://example.com/repo', name: 'not a file' },
        ],
        mounts,
      ),
    ).toEqual([
      { uri: 'file:///notes', name: 'notes' },
      { uri: 'file:///notes/drafts/today', name: 'today' },
      { uri: 'file:///data' },
    ]);
  });

  it('gives a server with no folders no roots', () => {
    expect(mapRoots([{ uri: 'file:///home/me/notes' }], [])).toEqual([]);
  });
});
