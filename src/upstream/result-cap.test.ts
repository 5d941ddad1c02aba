import { describe, expect, it } from 'vitest';
import { capResult } from './result-cap.js';

describe('capResult', () => {
  it('passes small results through untouched', () => {
    const result = { content: [{ type: 'text' as const, text: 'hi' }], structuredContent: { a: 1 } };
    expect(capResult(result, 1024 * 1024)).toBe(result);
  });

  it('cuts a large text result under the limit and says so', () => {
    const result = { content: [{ type: 'text' as const, text: 'x'.repeat(300_000) }], structuredContent: { big: true } };
    const cut = capResult(result, 100_000);
    expect(Buffer.byteLength(JSON.stringify(cut))).toBeLessThanOrEqual(100_000);
    expect(cut.structuredContent).toBeUndefined();
    expect(cut.content.at(-1)).toEqual({ type: 'text', text: expect.stringMatching(/over the .* MiB limit, and was cut/) });
    expect((cut.content[0] as { text: string }).text.length).toBeGreaterThan(90_000);
  });
});
