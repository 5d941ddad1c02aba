import type { Catalog } from '../catalog/catalog.js';
import type { ModelResourceRow } from '../catalog/models-repository.js';
import { AnthropicProvider } from './anthropic-provider.js';
import type { ModelProvider } from './model-provider.js';
import { OpenAIProvider } from './openai-provider.js';

/** Well-known endpoints for `models:create --preset`. */
export const providerPresets = {
  openai: { provider: 'openai', base_url: 'https://api.openai.com/v1', api_key_env: 'OPENAI_API_KEY' },
  anthropic: { provider: 'anthropic', base_url: 'https://api.anthropic.com', api_key_env: 'ANTHROPIC_API_KEY' },
  heroku: { provider: 'openai', base_url: 'https://us.inference.heroku.com/v1', api_key_env: 'INFERENCE_KEY' },
  ollama: { provider: 'openai', base_url: 'http://127.0.0.1:11434/v1', api_key_env: undefined },
  lmstudio: { provider: 'openai', base_url: 'http://127.0.0.1:1234/v1', api_key_env: undefined },
  openrouter: { provider: 'openai', base_url: 'https://openrouter.ai/api/v1', api_key_env: 'OPENROUTER_API_KEY' },
  vllm: { provider: 'openai', base_url: 'http://127.0.0.1:8000/v1', api_key_env: undefined },
} as const;

export type PresetName = keyof typeof providerPresets;

/** The provider a model resource names, with its key from the sealed store or its environment variable. */
export function providerFor(catalog: Catalog, resource: ModelResourceRow, env: NodeJS.ProcessEnv = process.env): ModelProvider {
  const apiKey = catalog.models.apiKey(resource.id) ?? (resource.api_key_env ? (env[resource.api_key_env] ?? '') : '');
  if (resource.provider === 'anthropic') {
    return new AnthropicProvider({ apiKey, ...(resource.base_url ? { baseURL: resource.base_url } : {}) });
  }
  return new OpenAIProvider({ apiKey, baseURL: resource.base_url ?? providerPresets.openai.base_url });
}
