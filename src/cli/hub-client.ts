import { AppError, type AppErrorCode, type ErrorBody } from '../shared/errors.js';
import type { OperationInput, OperationName, OperationOutputs, Operations } from '../shared/operations.js';
import { postToHub } from './hub-request.js';

/**
 * Runs operations on a running hub through `POST /api/<name>`. Its requests go over a plain socket
 * (hub-request.ts), not `fetch` or `node:http`: loading either costs a command that answers at
 * once more than its whole work. Only a command that follows progress loads `node:http`.
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

  /**
   * Follows the hub's progress lines until the returned function is called. Resolves once the hub
   * follows for this client (its first frame came), so no line of work started after it is lost;
   * or at once when the stream cannot open, since progress is only ever shown.
   */
  async onDidProgress(listener: (event: { app: string; line: string }) => void): Promise<() => void> {
    const { request } = await import('node:http');
    return new Promise((resolve) => {
      const req = request(`${this.url}/api/events`, { headers: { authorization: `Bearer ${this.token}` } }, (res) => {
        res.setEncoding('utf8');
        let buffer = '';
        res.on('data', (chunk: string) => {
          resolve(stop);
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) !== -1) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = /^event: progress\ndata: (.*)$/m.exec(frame)?.[1];
            if (data) listener(JSON.parse(data) as { app: string; line: string });
          }
        });
        res.on('end', () => resolve(stop));
        res.on('error', () => resolve(stop));
      });
      const stop = () => req.destroy();
      req.on('error', () => resolve(stop));
      req.end();
    });
  }

  /** One POST to the hub: its status and body. */
  private async post(path: string, body: string): Promise<{ status: number; text: string }> {
    try {
      return await postToHub(this.url, path, this.token, body);
    } catch (error) {
      throw unreachable(this.url, error as Error);
    }
  }
}

function unreachable(url: string, error: Error): AppError {
  return new AppError('unavailable', `the hub at ${url} did not answer: ${error.message}`);
}
