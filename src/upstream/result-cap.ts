import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** Largest tool result passed on; past it the result is cut and says so. */
export const maxResultBytes = 4 * 1024 * 1024;

/**
 * Cuts a result whose JSON is over `limit` bytes, counting every key: text blocks are shortened,
 * other large blocks dropped, and every key but `content` and `isError` (structured content,
 * `_meta`, anything else) removed; a last text block says what was cut.
 */
export function capResult(result: CallToolResult, limit = maxResultBytes): CallToolResult {
  const size = Buffer.byteLength(JSON.stringify(result));
  if (size <= limit) return result;
  let budget = limit - 1024;
  const content: CallToolResult['content'] = [];
  for (const block of result.content ?? []) {
    const blockSize = Buffer.byteLength(JSON.stringify(block));
    if (blockSize <= budget) {
      content.push(block);
      budget -= blockSize;
    } else if (block.type === 'text' && budget > 0) {
      content.push({ ...block, text: Buffer.from(block.text).subarray(0, budget).toString('utf8').replace(/\uFFFD+$/, '') });
      budget = 0;
    }
  }
  const dropped = Object.keys(result).filter((key) => key !== 'content' && key !== 'isError');
  content.push({
    type: 'text',
    text: `[procdock: the result was ${(size / 1024 / 1024).toFixed(1)} MiB, over the ${limit / 1024 / 1024} MiB limit, and was cut${dropped.length ? `; dropped: ${dropped.join(', ')}` : ''}]`,
  });
  return result.isError ? { content, isError: true } : { content };
}
