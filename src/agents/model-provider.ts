import type { ChatCompletion, ChatCompletionChunk, ChatCompletionCreateParams } from 'openai/resources/chat/completions';

export type ChatRequest = Omit<ChatCompletionCreateParams, 'stream'>;

/**
 * A model behind a resource, spoken to in OpenAI's chat-completions shapes whatever its own wire
 * format. Failures throw a `ProviderError` carrying the provider's status.
 */
export interface ModelProvider {
  complete(request: ChatRequest, signal?: AbortSignal): Promise<ChatCompletion>;
  stream(request: ChatRequest, signal?: AbortSignal): AsyncIterable<ChatCompletionChunk>;
}

/** The provider answered with an error, or could not be reached. */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  constructor(
    message: string,
    /** The provider's HTTP status; 502 when it could not be reached. */
    readonly status: number,
  ) {
    super(message);
  }
}

/** Wraps an SDK failure as a `ProviderError` that says which provider and what it said. */
export function providerError(provider: string, error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  const status = (error as { status?: number }).status;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof status === 'number') return new ProviderError(`${provider} answered ${status}: ${message}`, status);
  return new ProviderError(`${provider} could not be reached: ${message}`, 502);
}
