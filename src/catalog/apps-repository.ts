import { randomUUID } from 'node:crypto';
import type { SkippedProcess } from '../shared/api.js';
import { nowIso, type Db } from './database.js';

export interface AppRow {
  id: string;
  name: string;
  path: string;
  skipped: SkippedProcess[];
  created_at: string;
  updated_at: string;
}

interface RawAppRow extends Omit<AppRow, 'skipped'> {
  skipped_json: string;
}

/** The registered apps. */
export class AppsRepository {
  constructor(private readonly db: Db) {}

  insert(input: { name: string; path: string; skipped: SkippedProcess[] }): AppRow {
    const now = nowIso();
    const row: AppRow = { id: randomUUID(), ...input, created_at: now, updated_at: now };
    this.db
      .prepare('INSERT INTO apps (id, name, path, skipped_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(row.id, row.name, row.path, JSON.stringify(row.skipped), now, now);
    return row;
  }

  list(): AppRow[] {
    return this.db.prepare<[], RawAppRow>('SELECT * FROM apps ORDER BY name').all().map(toApp);
  }

  findByName(name: string): AppRow | undefined {
    const row = this.db.prepare<[string], RawAppRow>('SELECT * FROM apps WHERE name = ?').get(name);
    return row && toApp(row);
  }

  findById(id: string): AppRow | undefined {
    const row = this.db.prepare<[string], RawAppRow>('SELECT * FROM apps WHERE id = ?').get(id);
    return row && toApp(row);
  }

  remove(id: string): void {
    this.db.prepare('DELETE FROM apps WHERE id = ?').run(id);
  }
}

function toApp({ skipped_json, ...rest }: RawAppRow): AppRow {
  return { ...rest, skipped: JSON.parse(skipped_json) as SkippedProcess[] };
}
