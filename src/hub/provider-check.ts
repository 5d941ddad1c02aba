import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { ProviderError, type ChatRequest, type ModelProvider } from '../agents/model-provider.js';
import { providerFor } from '../agents/providers.js';
import type { Catalog } from '../catalog/catalog.js';
import type { ModelResourceRow } from '../catalog/models-repository.js';
import type { KeyStatus } from '../shared/api.js';
import { AppError } from '../shared/errors.js';
import { providerPresets } from '../shared/presets.js';

const loopback = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Whether a model endpoint runs on this machine (Ollama, LM Studio, vLLM): those need no key. */
export function isLocalEndpoint(baseUrl: string | null): boolean {
  if (!baseUrl) return false;
  try {
    return loopback.has(new URL(baseUrl).hostname);
  } catch {
    return false;
  }
}

/** Where the provider key of a resource comes from, if anywhere. */
export function keyStatus(resource: Pick<ModelResourceRow, 'has_api_key' | 'api_key_env' | 'base_url'>, env: NodeJS.ProcessEnv = process.env): KeyStatus {
  if (resource.has_api_key) return 'stored';
  if (resource.api_key_env && env[resource.api_key_env]) return 'env';
  return isLocalEndpoint(resource.base_url) ? 'not_needed' : 'missing';
}

/** The name users know the provider by: a preset's label, else the endpoint's host. */
export function providerLabel(resource: Pick<ModelResourceRow, 'provider' | 'base_url'>): string {
  const base = resource.base_url ?? (resource.provider === 'anthropic' ? providerPresets.anthropic.base_url : providerPresets.openai.base_url);
  const preset = Object.values(providerPresets).find((p) => p.base_url === base);
  if (preset) return preset.label;
  try {
    return new URL(base).host;
  } catch {
    return base;
  }
}

/** Refuses a chat with a resource that has no key to send, saying where one goes. */
export function assertUsableKey(resource: ModelResourceRow, env: NodeJS.ProcessEnv = process.env): void {
  if (keyStatus(resource, env) !== 'missing') return;
  const where = resource.api_key_env ? `set ${resource.api_key_env} in the hub's environment, or add a key` : 'add a key';
  throw new AppError(
    'invalid_input',
    `no API key: model resource "${resource.name}" (${providerLabel(resource)} ${resource.model_id}) has none — ${where} on the Models page, or pick a local model`,
  );
}

/** The resource's provider: refused at once when it has no key, each failure named by its cause. */
export function usableProvider(catalog: Catalog, resource: ModelResourceRow): ModelProvider {
  assertUsableKey(resource);
  return explainingProvider(providerFor(catalog, resource), resource);
}

/** One line that names the cause of a provider failure: the key, the endpoint, the rate limit. */
export function explainProviderFailure(resource: ModelResourceRow, error: ProviderError): string {
  const who = `${providerLabel(resource)} (model resource "${resource.name}")`;
  const said = error.message.replace(/^.*?(answered \d+|could not be reached): /, '').trim();
  const detail = said ? ` (${said.replace(/\.$/, '')})` : '';
  switch (true) {
    case error.status === 401 || error.status === 403:
      return `wrong API key: ${who} refused it with ${error.status} — set a valid key on the Models page${detail}`;
    case error.status === 429:
      return `rate-limited: ${who} answered 429 — wait a moment, or check the plan's quota${detail}`;
    case error.status === 404:
      return `not found: ${who} does not serve model "${resource.model_id}" (404)${detail}`;
    case error.status === 502 && /could not be reached/.test(error.message):
      return `unreachable: ${who} could not be reached at ${resource.base_url ?? 'its default endpoint'}${isLocalEndpoint(resource.base_url) ? ' — is it running?' : ''}${detail}`;
    default:
      return `${who} failed with ${error.status}${detail}`;
  }
}

/** The provider, with every failure's message rewritten to name its cause. */
export function explainingProvider(provider: ModelProvider, resource: ModelResourceRow): ModelProvider {
  const explain = (error: unknown): unknown =>
    error instanceof ProviderError ? new ProviderError(explainProviderFailure(resource, error), error.status) : error;
  return {
    async complete(request: ChatRequest, signal?: AbortSignal) {
      try {
        return await provider.complete(request, signal);
      } catch (error) {
        throw explain(error);
      }
    },
    async *stream(request: ChatRequest, signal?: AbortSignal): AsyncIterable<ChatCompletionChunk> {
      try {
        yield* provider.stream(request, signal);
      } catch (error) {
        throw explain(error);
      }
    },
  };
}
