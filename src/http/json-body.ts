import type { IncomingMessage } from 'node:http';

/** A request body read as JSON, or the status and message it is refused with. */
export type JsonBody = { ok: true; value: unknown } | { ok: false; status: 400 | 413 | 415; message: string };

const jsonType = /^application\/json\s*(;|$)/i;

/**
 * Reads a request's body, at most `limit` bytes of it, and parses it when its `Content-Type` is
 * JSON (else the value is undefined, for the endpoint to refuse as it sees fit). No compressed
 * bodies: no MCP client sends them.
 */
export function readJsonBody(req: IncomingMessage, limit: number): Promise<JsonBody> {
  const tooLarge: JsonBody = { ok: false, status: 413, message: `Request body over ${limit} bytes` };
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
    return Promise.resolve({ ok: false, status: 415, message: `Unsupported Content-Encoding: ${encoding}` });
  }
  if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.resolve(tooLarge);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (body: JsonBody) => {
      req.off('data', onData);
      resolve(body);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        return done(tooLarge);
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('error', () => done({ ok: false, status: 400, message: 'The request body was cut off' }));
    req.once('end', () => {
      if (size > limit) return;
      if (!jsonType.test(req.headers['content-type'] ?? '') || size === 0) return done({ ok: true, value: undefined });
      try {
        done({ ok: true, value: JSON.parse(Buffer.concat(chunks, size).toString('utf8')) as unknown });
      } catch {
        done({ ok: false, status: 400, message: 'Parse error: the body is not valid JSON' });
      }
    });
  });
}
