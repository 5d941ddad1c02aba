import type { Db } from './database.js';
import type { SecretBox } from './secret-box.js';

/** An app's config vars, sealed at rest. Values leave only to become a server's environment. */
export class ConfigRepository {
  constructor(
    private readonly db: Db,
    private readonly secrets: SecretBox,
  ) {}

  get(appId: string): Record<string, string> {
    const rows = this.db
      .prepare<[string], { key: string; value_secret: string }>(
        'SELECT key, value_secret FROM config_vars WHERE app_id = ? ORDER BY key',
      )
      .all(appId);
    return Object.fromEntries(rows.map((row) => [row.key, this.secrets.open(row.value_secret)]));
  }

  /** The names of the app's config vars, without opening their values. */
  keys(appId: string): string[] {
    return this.db
      .prepare<[string], { key: string }>('SELECT key FROM config_vars WHERE app_id = ? ORDER BY key')
      .all(appId)
      .map((row) => row.key);
  }

  set(appId: string, vars: Record<string, string>): void {
    const upsert = this.db.prepare(
      'INSERT INTO config_vars (app_id, key, value_secret) VALUES (?, ?, ?) ON CONFLICT (app_id, key) DO UPDATE SET value_secret = excluded.value_secret',
    );
    this.db.transaction(() => {
      for (const [key, value] of Object.entries(vars)) upsert.run(appId, key, this.secrets.seal(value));
    })();
  }

  unset(appId: string, keys: string[]): void {
    const remove = this.db.prepare('DELETE FROM config_vars WHERE app_id = ? AND key = ?');
    this.db.transaction(() => {
      for (const key of keys) remove.run(appId, key);
    })();
  }
}
