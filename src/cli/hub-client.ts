import { request, type IncomingMessage } from 'node:http';
import { AppError, type AppErrorCode, type ErrorBody } from '../shared/errors.js';
import type { OperationInput, OperationName, OperationOutputs, Operations } from '../shared/operations.js';

/**
 * Runs operations on a running hub through `POST /api/<name>`. It speaks through `node:http`, not
 * the global `fetch`: loading fetch's HTTP client costs a command that answers at once more than
 * its whole work.
 */
export class HubClient implements Operations {
  constructor(
    readonly url: string,
    private readonly token: string,
  ) {}

  async run<N extends OperationName>(name: N, input: OperationInput<N>): Promise<OperationOutputs[N]> {
    const { status, text } = await this.post(`/api/${name}`, JSON.stringify(input ?? {}));
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (status < 200 || status > 299) {
      const error = (body as ErrorBody | undefined)?.error;
      throw new AppError((error?.code ?? 'unavailable') as AppErrorCode, error?.message ?? `the hub answered ${status}`);
    }
    return body as OperationOutputs[N];
  }

  /** Follows the hub's progress lines until the returned function is called. */
  onDidProgress(listener: (event: { app: string; line: string }) => void): () => void {
    const req = request(`${this.url}/api/events`, { headers: { authorization: `Bearer ${this.token}` } }, (res) => {
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^event: progress\ndata: (.*)$/m.exec(frame)?.[1];
          if (data) listener(JSON.parse(data) as { app: string; line: string });
        }
      });
      res.on('error', () => undefined);
    });
    req.on('error', () => undefined);
    req.end();
    return () => req.destroy();
  }

  /** One POST to the hub: its status and body. */
  private post(path: string, body: string): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const headers = {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        authorization: `Bearer ${this.token}`,
      };
      const req = request(`${this.url}${path}`, { method: 'POST', headers }, (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (error) => reject(unreachable(this.url, error)));
      });
      req.on('error', (error) => reject(unreachable(this.url, error)));
      req.end(body);
    });
  }
}

function unreachable(url: string, error: Error): AppError {
  return new AppError('unavailable', `the hub at ${url} did not answer: ${error.message}`);
}
