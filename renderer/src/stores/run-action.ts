/** Runs a store action, returning the hub's one-line message when it fails instead of throwing. */
export async function attempt(work: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await work();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
