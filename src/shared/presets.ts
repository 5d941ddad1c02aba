import type { ProviderKind } from './api.js';

/** A well-known model endpoint, for `models:create --preset` and the UI's model picker. */
export interface ProviderPreset {
  provider: ProviderKind;
  label: string;
  base_url: string;
  /** The environment variable that usually holds its key; local servers need none. */
  api_key_env: string | undefined;
  /** A model id to propose. */
  model: string;
  /** Runs on this machine: no key needed, found by probing its port. */
  local: boolean;
}

export const providerPresets = {
  ollama: { provider: 'openai', label: 'Ollama', base_url: 'http://127.0.0.1:11434/v1', api_key_env: undefined, model: 'llama3.2', local: true },
  lmstudio: { provider: 'openai', label: 'LM Studio', base_url: 'http://127.0.0.1:1234/v1', api_key_env: undefined, model: 'qwen2.5-7b-instruct', local: true },
  openai: { provider: 'openai', label: 'OpenAI', base_url: 'https://api.openai.com/v1', api_key_env: 'OPENAI_API_KEY', model: 'gpt-4o-mini', local: false },
  anthropic: { provider: 'anthropic', label: 'Anthropic', base_url: 'https://api.anthropic.com', api_key_env: 'ANTHROPIC_API_KEY', model: 'claude-sonnet-4-5', local: false },
  heroku: { provider: 'openai', label: 'Heroku Inference', base_url: 'https://us.inference.heroku.com/v1', api_key_env: 'INFERENCE_KEY', model: 'claude-4-sonnet', local: false },
  openrouter: { provider: 'openai', label: 'OpenRouter', base_url: 'https://openrouter.ai/api/v1', api_key_env: 'OPENROUTER_API_KEY', model: 'openai/gpt-4o-mini', local: false },
  vllm: { provider: 'openai', label: 'vLLM', base_url: 'http://127.0.0.1:8000/v1', api_key_env: undefined, model: 'meta-llama/Llama-3.1-8B-Instruct', local: true },
} as const satisfies Record<string, ProviderPreset>;

export type PresetName = keyof typeof providerPresets;
