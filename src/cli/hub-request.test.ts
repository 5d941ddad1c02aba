import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseResponse, postToHub } from './hub-request.js';

const answer = (text: string) => Buffer.from(text, 'latin1');

describe('parseResponse', () => {
  it('reads a Content-Length body, and nothing past it', () => {
    const parsed = parseResponse(answer('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{"a":1}trailing'));
    expect(parsed).toEqual({ status: 200, text: '{"a":1}' });
  });

  it('joins a chunked body, extensions and all', () => {
    const parsed = parseResponse(answer('HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\n{"er\r\n3\r\nr":\r\n2\r\n1}\r\n0\r\n\r\n'));
    expect(parsed).toEqual({ status: 404, text: '{"err":1}' });
  });

  it('keeps UTF-8 split across chunks whole', () => {
    const body = Buffer.from('"é"');
    const raw = Buffer.concat([answer('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\n'), body.subarray(0, 2), answer('\r\n2\r\n'), body.subarray(2), answer('\r\n0\r\n\r\n')]);
    expect(parseResponse(raw).text).toBe('"é"');
  });

  it('refuses an answer cut short, or one that is not HTTP', () => {
    expect(() => parseResponse(answer('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{"a":1}'))).toThrow(/middle of an answer/);
    expect(() => parseResponse(answer('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab'))).toThrow(/middle of an answer/);
    expect(() => parseResponse(answer('HTTP/1.1 200 OK\r\nContent-Length: 2'))).toThrow(/before a whole answer/);
    expect(() => parseResponse(answer('SSH-2.0-OpenSSH_9.2\r\n\r\n'))).toThrow(/not an HTTP answer/);
  });
});

describe('postToHub', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  /** A node:http server on a free loopback port, as the hub's; resolves to its URL. */
  async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
    server = createServer(handler);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
  }

  it('sends the body and token, and waits out an answer that takes its time', async () => {
    const url = await serve((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      // Long work, as apps:add's build: the client must not half-close meanwhile, or Node drops it.
      req.on('end', () => setTimeout(() => res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ body, auth: req.headers.authorization, path: req.url })), 300));
    });
    const answered = await postToHub(url, '/api/apps.add?x=1', 'tok', '{"path":"/tmp/é"}');
    expect(answered.status).toBe(201);
    expect(JSON.parse(answered.text)).toEqual({ body: '{"path":"/tmp/é"}', auth: 'Bearer tok', path: '/api/apps.add?x=1' });
  });

  it('reads a streamed (chunked) answer', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.write('{"error":');
      setTimeout(() => res.end('{"code":"internal"}}'), 20);
    });
    expect(await postToHub(url, '/api/x', 't', '{}')).toEqual({ status: 500, text: '{"error":{"code":"internal"}}' });
  });

  it('takes a whole answer without waiting for the connection to close', async () => {
    const held = createNetServer((socket) => socket.once('data', () => socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\n[]')));
    await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', resolve));
    try {
      const answered = await postToHub(`http://127.0.0.1:${(held.address() as AddressInfo).port}`, '/api/apps.list', 't', '{}');
      expect(answered).toEqual({ status: 200, text: '[]' });
    } finally {
      held.close();
    }
  });

  it('takes a whole chunked answer without waiting for the connection to close, however it is split', async () => {
    const answer = 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\n[1,\r\n2\r\n2]\r\n0\r\n\r\n';
    const held = createNetServer((socket) =>
      socket.once('data', () => {
        // The head, then the body a byte at a time: the last read holds less than the terminator.
        socket.write(answer.slice(0, answer.indexOf('\r\n\r\n') + 4));
        for (const byte of answer.slice(answer.indexOf('\r\n\r\n') + 4)) socket.write(byte);
      }),
    );
    await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', resolve));
    try {
      const port = (held.address() as AddressInfo).port;
      expect(await postToHub(`http://127.0.0.1:${port}`, '/api/apps.list', 't', '{}')).toEqual({ status: 200, text: '[1,2]' });
    } finally {
      held.close();
    }
  });

  it('rejects when nothing listens, or the connection drops mid-answer', async () => {
    const url = await serve((req) => req.socket.destroy());
    await expect(postToHub(url, '/api/x', 't', '{}')).rejects.toThrow(/before a whole answer/);
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    await expect(postToHub(url, '/api/x', 't', '{}')).rejects.toThrow(/ECONNREFUSED/);
  });
});
