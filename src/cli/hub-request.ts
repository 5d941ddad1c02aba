import { connect } from 'node:net';

export interface HubResponse {
  status: number;
  text: string;
}

/**
 * One `POST` to the local hub over a plain socket: HTTP/1.1, `Connection: close`, the whole answer
 * read to the end. A list command's only request, so it goes without `node:http`, whose client,
 * agent and parser cost more to load and set up than the hub takes to answer. Reads a
 * `Content-Length` or chunked body; rejects with the socket's error, or when what came back is
 * not an HTTP answer.
 */
export function postToHub(url: string, path: string, token: string, body: string): Promise<HubResponse> {
  const target = new URL(path, url);
  if (target.protocol !== 'http:') return Promise.reject(new Error(`${target.protocol} is not supported`));
  const payload = Buffer.from(body);
  const head = [
    `POST ${target.pathname}${target.search} HTTP/1.1`,
    `host: ${target.host}`,
    `authorization: Bearer ${token}`,
    'content-type: application/json',
    `content-length: ${payload.length}`,
    'connection: close',
    '',
    '',
  ].join('\r\n');
  return new Promise((resolve, reject) => {
    const socket = connect({ host: target.hostname.replace(/^\[|\]$/g, ''), port: Number(target.port || 80) });
    const chunks: Buffer[] = [];
    // write, not end: Node's HTTP server drops a request whose client half-closes before the answer.
    socket.once('connect', () => socket.write(Buffer.concat([Buffer.from(head, 'latin1'), payload])));
    const finish = () => {
      try {
        resolve(parseResponse(Buffer.concat(chunks)));
      } catch (error) {
        reject(error as Error);
      }
    };
    let received = 0;
    let tail = Buffer.alloc(0);
    let whole: Whole | null | undefined;
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      tail = Buffer.concat([tail, chunk.subarray(-5)]).subarray(-5);
      // Read from the head once: null (the body ends with the connection) is an answer too.
      if (whole === undefined) whole = wholeWhen(chunks.length === 1 ? chunk : Buffer.concat(chunks, received));
      // Done once the body is all there: the socket's end is not waited for.
      if (!whole?.(received, tail)) return;
      let answer: HubResponse;
      try {
        answer = parseResponse(Buffer.concat(chunks, received));
      } catch {
        return; // not whole after all: the end of the connection settles it
      }
      socket.destroy();
      resolve(answer);
    });
    socket.once('error', reject);
    socket.once('end', finish);
  });
}

/** Whether an answer may be whole, from the count of bytes received so far and their last five. */
type Whole = (received: number, tail: Buffer) => boolean;

/**
 * How to tell the answer that begins with `raw` is whole, read once from its head: undefined while
 * the head is not all in, null when the body ends with the connection (neither a Content-Length
 * nor chunked), else a cheap test that `parseResponse` then confirms.
 */
function wholeWhen(raw: Buffer): Whole | null | undefined {
  const end = raw.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const head = raw.subarray(0, end).toString('latin1');
  if (/\r\ntransfer-encoding:[^\r]*\bchunked\b/i.test(head)) return (_, tail) => tail.toString('latin1') === '0\r\n\r\n';
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1];
  return length === undefined ? null : (received) => received >= end + 4 + Number(length);
}

/** A complete HTTP/1.1 answer: its status and its body as text. */
export function parseResponse(raw: Buffer): HubResponse {
  const end = raw.indexOf('\r\n\r\n');
  if (end === -1) throw new Error('the connection closed before a whole answer came');
  const [statusLine = '', ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(statusLine)?.[1];
  if (!status) throw new Error(`not an HTTP answer: ${JSON.stringify(statusLine.slice(0, 40))}`);
  const headers = new Map(
    lines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()] as const;
    }),
  );
  let rest = raw.subarray(end + 4);
  if (/\bchunked\b/i.test(headers.get('transfer-encoding') ?? '')) rest = dechunk(rest);
  else if (headers.has('content-length')) {
    const length = Number(headers.get('content-length'));
    if (!Number.isSafeInteger(length) || length < 0 || length > rest.length) throw new Error('the connection closed in the middle of an answer');
    rest = rest.subarray(0, length);
  }
  return { status: Number(status), text: rest.toString('utf8') };
}

/** A chunked body, joined; throws where it is cut short or malformed. */
function dechunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    const size = lineEnd === -1 ? NaN : parseInt(body.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isInteger(size) || size < 0 || lineEnd + 2 + size > body.length) throw new Error('the connection closed in the middle of an answer');
    if (size === 0) return Buffer.concat(parts);
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}
