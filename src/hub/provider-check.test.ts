import { describe, expect, it } from 'vitest';
import { ProviderError } from '../agents/model-provider.js';
import type { ModelResourceRow } from '../catalog/models-repository.js';
import { assertUsableKey, explainProviderFailure, keyStatus } from './provider-check.js';

const openai: ModelResourceRow = {
  id: 'r1',
  name: 'default',
  provider: 'openai',
  model_id: 'gpt-4o-mini',
  base_url: null,
  api_key_env: 'OPENAI_API_KEY',
  has_api_key: false,
  created_at: '',
};
const ollama: ModelResourceRow = { ...openai, name: 'local', base_url: 'http://127.0.0.1:11434/v1', api_key_env: null, model_id: 'llama3.2' };

describe('provider causes', () => {
  it('knows where a key comes from, and that a local model needs none', () => {
    expect(keyStatus(openai, {})).toBe('missing');
    expect(keyStatus(openai, { OPENAI_API_KEY: 'sk-1' })).toBe('env');
    expect(keyStatus({ ...openai, has_api_key: true }, {})).toBe('stored');
    expect(keyStatus(ollama, {})).toBe('not_needed');
  });

  it('refuses a chat without a key, naming the resource and where the key goes', () => {
    expect(() => assertUsableKey(openai, {})).toThrow(/^no API key: model resource "default" \(OpenAI gpt-4o-mini\).*OPENAI_API_KEY/);
    expect(() => assertUsableKey(ollama, {})).not.toThrow();
  });

  it('names the cause of each failure: wrong key, rate limit, unreachable', () => {
    expect(explainProviderFailure(openai, new ProviderError('the OpenAI-compatible provider answered 401: bad key', 401))).toMatch(
      /^wrong API key: OpenAI \(model resource "default"\) refused it with 401 .* \(bad key\)$/,
    );
    expect(explainProviderFailure(openai, new ProviderError('x answered 429: slow down', 429))).toMatch(/^rate-limited: .* \(slow down\)$/);
    expect(explainProviderFailure(ollama, new ProviderError('x could not be reached: Connection error.', 502))).toBe(
      'unreachable: Ollama (model resource "local") could not be reached at http://127.0.0.1:11434/v1 — is it running? (Connection error)',
    );
  });
});
