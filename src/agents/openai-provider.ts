import type OpenAI from 'openai';
import type { ChatCompletion, ChatCompletionChunk } from 'openai/resources/chat/completions';
import { providerError, type ChatRequest, type ModelProvider } from './model-provider.js';

/** Any OpenAI-compatible endpoint: OpenAI, Heroku Inference, Ollama, LM Studio, OpenRouter, vLLM. */
export class OpenAIProvider implements ModelProvider {
  private client?: Promise<OpenAI>;

  constructor(private readonly options: { baseURL: string; apiKey: string }) {}

  /** The SDK loads on the first request: the hub needs it only for agents. */
  private sdk(): Promise<OpenAI> {
    const { apiKey, baseURL } = this.options;
    this.client ??= import('openai').then(({ default: OpenAI }) => new OpenAI({ baseURL, apiKey: apiKey || 'none', maxRetries: 0, timeout: 300_000 }));
    return this.client;
  }

  async complete(request: ChatRequest, signal?: AbortSignal): Promise<ChatCompletion> {
    const client = await this.sdk();
    try {
      return await client.chat.completions.create({ ...request, stream: false }, signal ? { signal } : {});
    } catch (error) {
      throw providerError('the OpenAI-compatible provider', error);
    }
  }

  async *stream(request: ChatRequest, signal?: AbortSignal): AsyncIterable<ChatCompletionChunk> {
    const client = await this.sdk();
    let chunks: AsyncIterable<ChatCompletionChunk>;
    try {
      chunks = await client.chat.completions.create({ ...request, stream: true }, signal ? { signal } : {});
    } catch (error) {
      throw providerError('the OpenAI-compatible provider', error);
    }
    yield* chunks;
  }
}
