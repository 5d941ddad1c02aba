import { AppError, type AppErrorCode, type ErrorBody } from '../shared/errors.js';
import type { OperationInput, OperationName, OperationOutputs, Operations } from '../shared/operations.js';

/** Runs operations on a running hub through `POST /api/<name>`. */
export class HubClient implements Operations {
  constructor(
    readonly url: string,
    private readonly token: string,
  ) {}

  async run<N extends OperationName>(name: N, input: OperationInput<N>): Promise<OperationOutputs[N]> {
    let response: Response;
    try {
      response = await fetch(`${this.url}/api/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
        body: JSON.stringify(input ?? {}),
      });
    } catch (error) {
      throw new AppError('unavailable', `the hub at ${this.url} did not answer: ${(error as Error).message}`);
    }
    const body = (await response.json().catch(() => undefined)) as unknown;
    if (!response.ok) {
      const error = (body as ErrorBody | undefined)?.error;
      throw new AppError((error?.code ?? 'unavailable') as AppErrorCode, error?.message ?? `the hub answered ${response.status}`);
    }
    return body as OperationOutputs[N];
  }

  /** Follows the hub's progress lines until the returned function is called. */
  onDidProgress(listener: (event: { app: string; line: string }) => void): () => void {
    const controller = new AbortController();
    void (async () => {
      const response = await fetch(`${this.url}/api/events`, {
        headers: { authorization: `Bearer ${this.token}` },
        signal: controller.signal,
      });
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of response.body ?? []) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^event: progress\ndata: (.*)$/m.exec(frame)?.[1];
          if (data) listener(JSON.parse(data) as { app: string; line: string });
        }
      }
    })().catch(() => undefined);
    return () => controller.abort();
  }
}
