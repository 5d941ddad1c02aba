import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { ProviderKind } from '../shared/api.js';
import { nowIso, type Db } from './database.js';
import type { SecretBox } from './secret-box.js';

export interface ModelResourceRow {
  id: string;
  name: string;
  provider: ProviderKind;
  model_id: string;
  base_url: string | null;
  api_key_env: string | null;
  has_api_key: boolean;
  created_at: string;
}

interface RawResourceRow extends Omit<ModelResourceRow, 'has_api_key'> {
  api_key_secret: string | null;
  inference_key_secret: string;
  inference_key_hash: string;
}

export interface NewModelResource {
  name: string;
  provider: ProviderKind;
  model_id: string;
  base_url?: string | undefined;
  api_key_env?: string | undefined;
  api_key?: string | undefined;
}

export interface ModelResourceChange {
  model_id?: string | undefined;
  base_url?: string | null | undefined;
  api_key_env?: string | null | undefined;
  api_key?: string | null | undefined;
}

/** Model resources (each one a toolkit with its own `inf-…` key) and their app attachments. */
export class ModelsRepository {
  constructor(
    private readonly db: Db,
    private readonly secrets: SecretBox,
  ) {}

  create(input: NewModelResource): ModelResourceRow {
    const id = randomUUID();
    const key = `inf-${randomUUID()}`;
    const now = nowIso();
    this.db
      .prepare(
        `INSERT INTO model_resources (id, name, provider, model_id, base_url, api_key_env, api_key_secret,
           inference_key_secret, inference_key_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        input.name,
        input.provider,
        input.model_id,
        input.base_url ?? null,
        input.api_key_env ?? null,
        input.api_key ? this.secrets.seal(input.api_key) : null,
        this.secrets.seal(key),
        hashKey(key),
        now,
        now,
      );
    const row = this.findByName(input.name);
    if (!row) throw new Error(`model resource ${input.name} vanished after insert`);
    return row;
  }

  list(): ModelResourceRow[] {
    return this.db.prepare<[], RawResourceRow>('SELECT * FROM model_resources ORDER BY name').all().map(toResource);
  }

  findByName(name: string): ModelResourceRow | undefined {
    const row = this.db.prepare<[string], RawResourceRow>('SELECT * FROM model_resources WHERE name = ?').get(name);
    return row && toResource(row);
  }

  /** The resource a bearer key selects. Compares digests in constant time. */
  findByKey(key: string): ModelResourceRow | undefined {
    const wanted = Buffer.from(hashKey(key), 'hex');
    const rows = this.db.prepare<[], RawResourceRow>('SELECT * FROM model_resources').all();
    let found: RawResourceRow | undefined;
    for (const row of rows) {
      if (timingSafeEqual(wanted, Buffer.from(row.inference_key_hash, 'hex'))) found = row;
    }
    return found && toResource(found);
  }

  /** The digest of the resource's current `INFERENCE_KEY`; none once the resource is gone. */
  keyHash(resourceId: string): string | undefined {
    return this.db.prepare<[string], { inference_key_hash: string }>('SELECT inference_key_hash FROM model_resources WHERE id = ?').get(resourceId)?.inference_key_hash;
  }

  inferenceKey(resourceId: string): string {
    const row = this.db
      .prepare<[string], { inference_key_secret: string }>('SELECT inference_key_secret FROM model_resources WHERE id = ?')
      .get(resourceId);
    if (!row) throw new Error(`no model resource ${resourceId}`);
    return this.secrets.open(row.inference_key_secret);
  }

  /** Replaces the resource's `INFERENCE_KEY`: the old one matches nothing from this write on. */
  rotateKey(resourceId: string): void {
    const key = `inf-${randomUUID()}`;
    this.db
      .prepare('UPDATE model_resources SET inference_key_secret = ?, inference_key_hash = ?, updated_at = ? WHERE id = ?')
      .run(this.secrets.seal(key), hashKey(key), nowIso(), resourceId);
  }

  /** Changes the model, endpoint or provider key of a resource; `null` clears a field. */
  update(resourceId: string, change: ModelResourceChange): void {
    const sets: string[] = [];
    const values: (string | null)[] = [];
    const put = (column: string, value: string | null) => {
      sets.push(`${column} = ?`);
      values.push(value);
    };
    if (change.model_id !== undefined) put('model_id', change.model_id);
    if (change.base_url !== undefined) put('base_url', change.base_url);
    if (change.api_key_env !== undefined) put('api_key_env', change.api_key_env);
    if (change.api_key !== undefined) put('api_key_secret', change.api_key === null ? null : this.secrets.seal(change.api_key));
    if (sets.length === 0) return;
    put('updated_at', nowIso());
    this.db.prepare(`UPDATE model_resources SET ${sets.join(', ')} WHERE id = ?`).run(...values, resourceId);
  }

  /** The stored API key, if one was given (else the provider's key comes from `api_key_env`). */
  apiKey(resourceId: string): string | null {
    const row = this.db
      .prepare<[string], { api_key_secret: string | null }>('SELECT api_key_secret FROM model_resources WHERE id = ?')
      .get(resourceId);
    return row?.api_key_secret ? this.secrets.open(row.api_key_secret) : null;
  }

  remove(id: string): void {
    this.db.prepare('DELETE FROM model_resources WHERE id = ?').run(id);
  }

  attach(resourceId: string, appId: string): void {
    this.db
      .prepare('INSERT OR IGNORE INTO attachments (resource_id, app_id, created_at) VALUES (?, ?, ?)')
      .run(resourceId, appId, nowIso());
  }

  detach(resourceId: string, appId: string): boolean {
    return this.db.prepare('DELETE FROM attachments WHERE resource_id = ? AND app_id = ?').run(resourceId, appId).changes > 0;
  }

  appNamesOf(resourceId: string): string[] {
    return this.db
      .prepare<[string], { name: string }>(
        'SELECT a.name FROM attachments t JOIN apps a ON a.id = t.app_id WHERE t.resource_id = ? ORDER BY a.name',
      )
      .all(resourceId)
      .map((row) => row.name);
  }

  resourceNamesOf(appId: string): string[] {
    return this.db
      .prepare<[string], { name: string }>(
        'SELECT r.name FROM attachments t JOIN model_resources r ON r.id = t.resource_id WHERE t.app_id = ? ORDER BY r.name',
      )
      .all(appId)
      .map((row) => row.name);
  }
}

function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

function toResource(row: RawResourceRow): ModelResourceRow {
  const { api_key_secret, inference_key_secret: _key, inference_key_hash: _hash, ...rest } = row;
  return { ...rest, has_api_key: api_key_secret !== null };
}
