import { randomBytes, timingSafeEqual } from 'node:crypto';

const lifetimeMs = 60_000;

/**
 * One-time codes that open the UI: a browser is started with `/#code=…` rather than the admin token,
 * so the token never appears in a process's arguments. A code works once, within a minute.
 */
export class UiLinks {
  private readonly codes = new Map<string, number>();

  constructor(private readonly adminToken: string) {}

  mint(): string {
    this.prune();
    const code = randomBytes(18).toString('base64url');
    this.codes.set(code, Date.now() + lifetimeMs);
    return code;
  }

  /** The admin token for a code that is valid; the code is spent either way. */
  redeem(code: string): string | undefined {
    this.prune();
    for (const [known] of this.codes) {
      const a = Buffer.from(known);
      const b = Buffer.from(code);
      if (a.length === b.length && timingSafeEqual(a, b)) {
        this.codes.delete(known);
        return this.adminToken;
      }
    }
    return undefined;
  }

  private prune(): void {
    const now = Date.now();
    for (const [code, expires] of this.codes) if (expires < now) this.codes.delete(code);
  }
}
