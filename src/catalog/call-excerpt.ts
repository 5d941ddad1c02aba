/** The most of one call's arguments, result or error the call log keeps. */
export const maxStoredBytes = 64 * 1024;

/** Config values shorter than this are not redacted: too likely to be ordinary words. */
const minSecretLength = 6;

/**
 * What the call log stores of a value: its JSON with the app's secrets (config var values) blanked
 * out, and, past `maxStoredBytes`, an excerpt that says how large the whole was.
 */
export function storedJson(value: unknown, secrets: readonly string[] = []): string {
  const json = redact(JSON.stringify(value ?? null), secrets);
  if (json.length <= maxStoredBytes) return json;
  return JSON.stringify({ procdock_excerpt: json.slice(0, maxStoredBytes), bytes: Buffer.byteLength(json) });
}

/** An error text as the call log stores it: redacted, bounded. */
export function storedText(text: string | null, secrets: readonly string[] = []): string | null {
  if (text === null) return null;
  const clean = redact(text, secrets);
  return clean.length <= maxStoredBytes ? clean : `${clean.slice(0, maxStoredBytes)}… [cut]`;
}

function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < minSecretLength) continue;
    // Also the JSON-escaped form, as the value appears inside a serialized result.
    for (const form of new Set([secret, JSON.stringify(secret).slice(1, -1)])) out = out.split(form).join('[redacted]');
  }
  return out;
}
