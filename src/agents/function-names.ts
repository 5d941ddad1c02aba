/** Providers' function-name grammar: OpenAI's and Anthropic's, the stricter of both. */
const allowed = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * Maps tool names (Heroku's `namespace/tool`, anything) to names a provider accepts, reversibly:
 * a name that already fits is kept; others have each bad character replaced, and a numeric suffix
 * where two would collide.
 */
export class FunctionNames {
  private readonly toProvider = new Map<string, string>();
  private readonly fromProvider = new Map<string, string>();

  add(name: string): string {
    const known = this.toProvider.get(name);
    if (known) return known;
    let candidate = allowed.test(name) ? name : name.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64) || 'tool';
    for (let n = 2; this.fromProvider.has(candidate); n++) candidate = `${candidate.slice(0, 60)}_${n}`;
    this.toProvider.set(name, candidate);
    this.fromProvider.set(candidate, name);
    return candidate;
  }

  /** The original name of a provider's function name; unknown names come back unchanged. */
  original(providerName: string): string {
    return this.fromProvider.get(providerName) ?? providerName;
  }
}
