import type { Catalog } from '../catalog/catalog.js';
import type { ModelResourceRow } from '../catalog/models-repository.js';
import { AnthropicProvider } from './anthropic-provider.js';
import type { ModelProvider } from './model-provider.js';
import { OpenAIProvider } from './openai-provider.js';
import { providerPresets } from '../shared/presets.js';


/** The provider a model resource names, with its key from the sealed store or its environment variable. */
export function providerFor(catalog: Catalog, resource: ModelResourceRow, env: NodeJS.ProcessEnv = process.env): ModelProvider {
  const apiKey = catalog.models.apiKey(resource.id) ?? (resource.api_key_env ? (env[resource.api_key_env] ?? '') : '');
  if (resource.provider === 'anthropic') {
    return new AnthropicProvider({ apiKey, ...(resource.base_url ? { baseURL: resource.base_url } : {}) });
  }
  return new OpenAIProvider({ apiKey, baseURL: resource.base_url ?? providerPresets.openai.base_url });
}
