import { describe, expect, it } from 'vitest';
import { templateMatches } from './toolkit-catalog.js';

describe('templateMatches', () => {
  it.each([
    ['demo://resource/dynamic/text/{resourceId}', 'demo://resource/dynamic/text/42', true],
    ['demo://resource/dynamic/text/{resourceId}', 'demo://resource/dynamic/text/4/2', false],
    ['test://template/{id}/data', 'test://template/123/data', true],
    ['test://template/{id}/data', 'test://template/123/other', false],
    ['file:///{+path}', 'file:///a/b/c.txt', true],
    ['search://{query}{?limit}', 'search://cats?limit=3', true],
    ['docs://{a}.md', 'docs://readme.md', true],
  ])('%s ~ %s: %s', (template, uri, expected) => {
    expect(templateMatches(template, uri)).toBe(expected);
  });
});
