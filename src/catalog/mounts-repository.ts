import type { HostMount } from '../sandbox/sandbox.js';
import { nowIso, type Db } from './database.js';

/** A host folder the user granted an app's servers: one of them (`process_type`), or all. */
export interface MountRow extends HostMount {
  app_id: string;
  /** The process it is granted to; null for every server of the app. */
  process_type: string | null;
  created_at: string;
}

interface RawMountRow {
  app_id: string;
  process_type: string | null;
  host_path: string;
  container_path: string;
  read_write: number;
  created_at: string;
}

/** Host folders granted by the user (never by a repo's own files). */
export class MountsRepository {
  constructor(private readonly db: Db) {}

  listByApp(appId: string): MountRow[] {
    return this.db
      .prepare<[string], RawMountRow>('SELECT * FROM mounts WHERE app_id = ? ORDER BY container_path')
      .all(appId)
      .map(toMount);
  }

  /** The mounts one server runs with: those granted to it and those granted to its whole app. */
  forServer(appId: string, processType: string): MountRow[] {
    return this.listByApp(appId).filter((mount) => mount.process_type === null || mount.process_type === processType);
  }

  find(appId: string, containerPath: string): MountRow | undefined {
    const row = this.db
      .prepare<[string, string], RawMountRow>('SELECT * FROM mounts WHERE app_id = ? AND container_path = ?')
      .get(appId, containerPath);
    return row && toMount(row);
  }

  add(appId: string, processType: string | null, mount: HostMount): void {
    this.db
      .prepare('INSERT INTO mounts (app_id, process_type, host_path, container_path, read_write, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(appId, processType, mount.host_path, mount.container_path, mount.read_write ? 1 : 0, nowIso());
  }

  remove(appId: string, containerPath: string): boolean {
    return this.db.prepare('DELETE FROM mounts WHERE app_id = ? AND container_path = ?').run(appId, containerPath).changes > 0;
  }
}

function toMount(row: RawMountRow): MountRow {
  return {
    app_id: row.app_id,
    process_type: row.process_type,
    host_path: row.host_path,
    container_path: row.container_path,
    read_write: row.read_write === 1,
    created_at: row.created_at,
  };
}
