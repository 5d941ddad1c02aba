import type { LocalModelServer } from '../shared/api.js';

const probeTimeoutMs = 1500;

/** Where onboarding looks for local model servers; tests point these at a scripted one. */
export function localModelAddresses(env: NodeJS.ProcessEnv = process.env): { ollama: string; lmstudio: string } {
  return {
    ollama: (env.PROCDOCK_OLLAMA_URL || 'http://127.0.0.1:11434').replace(/\/+$/, ''),
    lmstudio: (env.PROCDOCK_LMSTUDIO_URL || 'http://127.0.0.1:1234').replace(/\/+$/, ''),
  };
}

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(probeTimeoutMs) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.json();
}

/**
 * Probes Ollama (`/api/tags`) and LM Studio (`/v1/models`) on their ports and returns those that
 * answer, with the models they have. Nothing answering is no error: the list is just empty.
 */
export async function discoverLocalModels(env: NodeJS.ProcessEnv = process.env): Promise<LocalModelServer[]> {
  const { ollama, lmstudio } = localModelAddresses(env);
  const probes = await Promise.allSettled([
    getJson(`${ollama}/api/tags`).then((body): LocalModelServer => ({
      preset: 'ollama',
      label: 'Ollama',
      base_url: `${ollama}/v1`,
      models: namesOf((body as { models?: { name?: unknown }[] }).models, 'name'),
    })),
    getJson(`${lmstudio}/v1/models`).then((body): LocalModelServer => ({
      preset: 'lmstudio',
      label: 'LM Studio',
      base_url: `${lmstudio}/v1`,
      models: namesOf((body as { data?: { id?: unknown }[] }).data, 'id'),
    })),
  ]);
  return probes.flatMap((probe) => (probe.status === 'fulfilled' ? [probe.value] : []));
}

function namesOf(list: Record<string, unknown>[] | undefined, field: string): string[] {
  return (Array.isArray(list) ? list : []).map((item) => item?.[field]).filter((name): name is string => typeof name === 'string');
}
