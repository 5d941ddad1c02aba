import { describe, expect, it } from 'vitest';
import { imageRepository, qualifiedReference } from './image-reference.js';

describe('image references every engine resolves alike', () => {
  it.each([
    ['node:20-slim', 'docker.io/library/node:20-slim'],
    ['node', 'docker.io/library/node'],
    ['procdock-test/node:20', 'docker.io/procdock-test/node:20'],
    ['docker.io/library/node:20', 'docker.io/library/node:20'],
    ['localhost/procdock-abc/app:1', 'localhost/procdock-abc/app:1'],
    ['ghcr.io/me/tool:2', 'ghcr.io/me/tool:2'],
    ['registry:5000/team/tool', 'registry:5000/team/tool'],
    ['node@sha256:' + 'a'.repeat(64), 'docker.io/library/node@sha256:' + 'a'.repeat(64)],
    ['sha256:' + 'b'.repeat(64), 'sha256:' + 'b'.repeat(64)],
  ])('%s → %s', (given, qualified) => {
    expect(qualifiedReference(given)).toBe(qualified);
  });

  it('names an app’s images under localhost, per data dir', () => {
    expect(imageRepository('0123456789ab', 'notes')).toBe('localhost/procdock-0123456789ab/notes');
  });
});
