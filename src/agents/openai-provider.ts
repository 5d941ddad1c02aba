import OpenAI from 'openai';
import type { ChatCompletion, ChatCompletionChunk } from 'openai/resources/chat/completions';
import { providerError, type ChatRequest, type ModelProvider } from './model-provider.js';

/** Any OpenAI-compatible endpoint: OpenAI, Heroku Inference, Ollama, LM Studio, OpenRouter, vLLM. */
export class OpenAIProvider implements ModelProvider {
  private readonly client: OpenAI;

  constructor(options: { baseURL: string; apiKey: string }) {
    this.client = new OpenAI({ baseURL: options.baseURL, apiKey: options.apiKey || 'none', maxRetries: 0, timeout: 300_000 });
  }

  async complete(request: ChatRequest, signal?: AbortSignal): Promise<ChatCompletion> {
    try {
      return await this.client.chat.completions.create({ ...request, stream: false }, signal ? { signal } : {});
    } catch (error) {
      throw providerError('the OpenAI-compatible provider', error);
    }
  }

  async *stream(request: ChatRequest, signal?: AbortSignal): AsyncIterable<ChatCompletionChunk> {
    let chunks: AsyncIterable<ChatCompletionChunk>;
    try {
      chunks = await this.client.chat.completions.create({ ...request, stream: true }, signal ? { signal } : {});
    } catch (error) {
      throw providerError('the OpenAI-compatible provider', error);
    }
    yield* chunks;
  }
}
