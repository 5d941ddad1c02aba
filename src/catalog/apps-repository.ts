import { randomUUID } from 'node:crypto';
import type { SkippedProcess } from '../shared/api.js';
import { nowIso, type Db } from './database.js';

export type BuildStatus = 'none' | 'building' | 'built' | 'error';

export interface AppRow {
  id: string;
  name: string;
  path: string;
  skipped: SkippedProcess[];
  image: string | null;
  image_hash: string | null;
  build_status: BuildStatus;
  build_error: string | null;
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
    const row: AppRow = {
      id: randomUUID(),
      ...input,
      image: null,
      image_hash: null,
      build_status: 'none',
      build_error: null,
      created_at: now,
      updated_at: now,
    };
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

  setSkipped(id: string, skipped: SkippedProcess[]): void {
    this.db.prepare('UPDATE apps SET skipped_json = ?, updated_at = ? WHERE id = ?').run(JSON.stringify(skipped), nowIso(), id);
  }

  setBuilding(id: string): void {
    this.db.prepare("UPDATE apps SET build_status = 'building', build_error = NULL, updated_at = ? WHERE id = ?").run(nowIso(), id);
  }

  /** Records the image the app's servers run from; none (a plain-process sandbox) means nothing was built. */
  setBuilt(id: string, image: string | null, hash: string | null): void {
    this.db
      .prepare('UPDATE apps SET build_status = ?, build_error = NULL, image = ?, image_hash = ?, updated_at = ? WHERE id = ?')
      .run(image ? 'built' : 'none', image, hash, nowIso(), id);
  }

  setBuildError(id: string, message: string): void {
    this.db.prepare("UPDATE apps SET build_status = 'error', build_error = ?, updated_at = ? WHERE id = ?").run(message, nowIso(), id);
  }

  /** Marks builds a killed hub left running as failed. */
  failInterruptedBuilds(): number {
    return this.db
      .prepare("UPDATE apps SET build_status = 'error', build_error = 'the build was interrupted: run procdock apps:build', updated_at = ? WHERE build_status = 'building'")
      .run(nowIso()).changes;
  }

  remove(id: string): void {
    this.db.prepare('DELETE FROM apps WHERE id = ?').run(id);
  }
}

function toApp({ skipped_json, ...rest }: RawAppRow): AppRow {
  return { ...rest, skipped: JSON.parse(skipped_json) as SkippedProcess[] };
}
