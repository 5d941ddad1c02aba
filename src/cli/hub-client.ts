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

  close(): Promise<void> {
    return Promise.resolve();
  }
}
