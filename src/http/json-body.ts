import type { IncomingMessage } from 'node:http';

/** A request body read as JSON, or the status and message it is refused with. */
export type JsonBody = { ok: true; value: unknown } | { ok: false; status: 400 | 413 | 415; message: string };

const jsonType = /^application\/json\s*(;|$)/i;

/** Whether a request says its body is JSON (`application/json`, with or without parameters). */
export function sentAsJson(req: IncomingMessage): boolean {
  return jsonType.test(req.headers['content-type'] ?? '');
}

/**
 * Reads a request's body, at most `limit` bytes of it, and parses it when its `Content-Type` is
 * JSON (else the value is undefined, for the endpoint to refuse as it sees fit). No compressed
 * bodies: no MCP client sends them. A body found too large on the way (chunked, or a
 * `Content-Length` that lied) is refused at once and the rest read and dropped, so that the
 * connection stays usable; Node's server timeouts bound a sender that never stops.
 */
export function readJsonBody(req: IncomingMessage, limit: number): Promise<JsonBody> {
  const tooLarge: JsonBody = { ok: false, status: 413, message: `Request body over ${limit} bytes` };
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
    return Promise.resolve({ ok: false, status: 415, message: `Unsupported Content-Encoding: ${encoding}` });
  }
  // Refused before a byte is read: Node drops the body once the answer is sent.
  if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.resolve(tooLarge);
  return new Promise((resolve) => {
    let chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      const before = size;
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (before <= limit) {
        chunks = [];
        resolve(tooLarge);
      }
    });
    req.once('error', () => resolve({ ok: false, status: 400, message: 'The request body was cut off' }));
    req.once('end', () => {
      if (size > limit) return;
      if (!sentAsJson(req) || size === 0) return resolve({ ok: true, value: undefined });
      try {
        const text = Buffer.concat(chunks, size).toString('utf8');
        resolve({ ok: true, value: JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as unknown });
      } catch {
        resolve({ ok: false, status: 400, message: 'Parse error: the body is not valid JSON' });
      }
    });
  });
}
