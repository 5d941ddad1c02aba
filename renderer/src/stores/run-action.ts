/** Runs a store action, returning the hub's one-line message when it fails instead of throwing. */
export async function attempt(work: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await work();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** The record without one key: for per-item state (errors, details) the store drops. */
export function omit<T>(record: Record<string, T>, key: string): Record<string, T> {
  const { [key]: _gone, ...rest } = record;
  return rest;
}
