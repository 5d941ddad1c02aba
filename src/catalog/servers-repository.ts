import { randomUUID } from 'node:crypto';
import { defaultServerSettings, type ServerSettings } from '../apps/server-defaults.js';
import type { PrimitivesStatus, RefusedName, ServerStatus } from '../shared/api.js';
import { nowIso, type Db } from './database.js';
import { digestOf, pinnedPart } from './digest.js';

export interface ServerRow {
  id: string;
  app_id: string;
  app_name: string;
  app_path: string;
  process_type: string;
  process_command: string;
  server_status: ServerStatus;
  primitives_status: PrimitivesStatus;
  primitives_error: string | null;
  synced_at: string | null;
  settings: ServerSettings;
  /** What the last sync refused to expose, and why. */
  refused: RefusedName[];
  app_image: string | null;
  created_at: string;
  updated_at: string;
}

interface RawServerRow extends Omit<ServerRow, 'settings' | 'refused'> {
  settings_json: string;
  refused_json: string;
}

/** A tool exactly as the server listed it (name, description, schemas, annotations, _meta…). */
export type ToolDefinition = { name: string } & Record<string, unknown>;

export type PrimitiveKind = 'resource' | 'template' | 'prompt';

/** What a sync read from a server besides its tools, each exactly as listed. */
export interface ServerPrimitives {
  resources: ({ uri: string } & Record<string, unknown>)[];
  templates: ({ uriTemplate: string } & Record<string, unknown>)[];
  prompts: ({ name: string } & Record<string, unknown>)[];
}

const selectServers = `
  SELECT s.id, s.app_id, a.name AS app_name, a.path AS app_path, s.process_type, s.process_command,
         s.server_status, s.primitives_status, s.primitives_error, s.synced_at, s.settings_json, s.refused_json, a.image AS app_image,
         s.created_at, s.updated_at
  FROM servers s JOIN apps a ON a.id = s.app_id`;

/** The MCP servers of registered apps and the tools each last listed. */
export class ServersRepository {
  constructor(private readonly db: Db) {}

  insert(appId: string, processType: string, command: string, settings: ServerSettings): string {
    const id = randomUUID();
    const now = nowIso();
    this.db
      .prepare(
        'INSERT INTO servers (id, app_id, process_type, process_command, settings_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(id, appId, processType, command, JSON.stringify(settings), now, now);
    return id;
  }

  setCommand(id: string, command: string): void {
    this.db.prepare('UPDATE servers SET process_command = ?, updated_at = ? WHERE id = ?').run(command, nowIso(), id);
  }

  /** Removes a server and its tools and primitives (a process gone from the Procfile). */
  remove(id: string): void {
    this.db.prepare('DELETE FROM servers WHERE id = ?').run(id);
  }

  setSettings(id: string, settings: ServerSettings): void {
    this.db.prepare('UPDATE servers SET settings_json = ?, updated_at = ? WHERE id = ?').run(JSON.stringify(settings), nowIso(), id);
  }

  list(): ServerRow[] {
    return this.db.prepare<[], RawServerRow>(`${selectServers} ORDER BY a.name, s.process_type`).all().map(toServer);
  }

  listByApp(appId: string): ServerRow[] {
    return this.db
      .prepare<[string], RawServerRow>(`${selectServers} WHERE s.app_id = ? ORDER BY s.process_type`)
      .all(appId)
      .map(toServer);
  }

  listByResource(resourceId: string): ServerRow[] {
    return this.db
      .prepare<[string], RawServerRow>(
        `${selectServers} JOIN attachments t ON t.app_id = s.app_id WHERE t.resource_id = ? ORDER BY a.name, s.process_type`,
      )
      .all(resourceId)
      .map(toServer);
  }

  findById(id: string): ServerRow | undefined {
    const row = this.db.prepare<[string], RawServerRow>(`${selectServers} WHERE s.id = ?`).get(id);
    return row && toServer(row);
  }

  setSyncing(id: string): void {
    this.db
      .prepare("UPDATE servers SET primitives_status = 'syncing', primitives_error = NULL, updated_at = ? WHERE id = ?")
      .run(nowIso(), id);
  }

  setSyncError(id: string, message: string): void {
    this.db
      .prepare("UPDATE servers SET primitives_status = 'error', primitives_error = ?, updated_at = ? WHERE id = ?")
      .run(message, nowIso(), id);
  }

  setStatus(id: string, status: ServerStatus): void {
    this.db.prepare('UPDATE servers SET server_status = ?, updated_at = ? WHERE id = ?').run(status, nowIso(), id);
  }

  /** Replaces the server's tools, resources and prompts and marks it synced, atomically. */
  setSynced(id: string, serverInfo: unknown, tools: ToolDefinition[], primitives: ServerPrimitives, refused: RefusedName[] = []): void {
    const now = nowIso();
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM tools WHERE server_id = ?').run(id);
      this.db.prepare('DELETE FROM primitives WHERE server_id = ?').run(id);
      const insert = this.db.prepare('INSERT INTO tools (server_id, position, name, definition_json, digest) VALUES (?, ?, ?, ?, ?)');
      tools.forEach((tool, position) => insert.run(id, position, tool.name, JSON.stringify(tool), digestOf(pinnedPart(tool))));
      const insertPrimitive = this.db.prepare(
        'INSERT INTO primitives (server_id, kind, position, key, definition_json) VALUES (?, ?, ?, ?, ?)',
      );
      primitives.resources.forEach((r, i) => insertPrimitive.run(id, 'resource', i, r.uri, JSON.stringify(r)));
      primitives.templates.forEach((t, i) => insertPrimitive.run(id, 'template', i, t.uriTemplate, JSON.stringify(t)));
      primitives.prompts.forEach((p, i) => insertPrimitive.run(id, 'prompt', i, p.name, JSON.stringify(p)));
      this.db
        .prepare(
          "UPDATE servers SET primitives_status = 'synced', primitives_error = NULL, server_info_json = ?, refused_json = ?, synced_at = ?, updated_at = ? WHERE id = ?",
        )
        .run(JSON.stringify(serverInfo ?? null), JSON.stringify(refused), now, now, id);
    })();
  }

  tools(serverId: string): ToolDefinition[] {
    return this.db
      .prepare<[string], { definition_json: string }>('SELECT definition_json FROM tools WHERE server_id = ? ORDER BY position')
      .all(serverId)
      .map((row) => JSON.parse(row.definition_json) as ToolDefinition);
  }

  primitives<K extends PrimitiveKind>(serverId: string, kind: K): (K extends 'resource' ? ServerPrimitives['resources'] : K extends 'template' ? ServerPrimitives['templates'] : ServerPrimitives['prompts']) {
    return this.db
      .prepare<[string, string], { definition_json: string }>(
        'SELECT definition_json FROM primitives WHERE server_id = ? AND kind = ? ORDER BY position',
      )
      .all(serverId, kind)
      .map((row) => JSON.parse(row.definition_json)) as never;
  }

  /** What the server said about itself at its last sync (`serverInfo` of `initialize`). */
  serverInfo(serverId: string): { name?: string; version?: string; instructions?: string } | null {
    const row = this.db.prepare<[string], { server_info_json: string | null }>('SELECT server_info_json FROM servers WHERE id = ?').get(serverId);
    const stored = row?.server_info_json ? (JSON.parse(row.server_info_json) as { serverInfo?: { name?: string; version?: string }; instructions?: string } | null) : null;
    if (!stored?.serverInfo) return null;
    return { ...stored.serverInfo, ...(stored.instructions ? { instructions: stored.instructions } : {}) };
  }

  /** Marks syncs a previous hub left half-done (it was killed) as failed, so none stays `syncing`. */
  failInterruptedSyncs(): number {
    return this.db
      .prepare(
        "UPDATE servers SET primitives_status = 'error', primitives_error = 'the sync was interrupted: run procdock sync', updated_at = ? WHERE primitives_status = 'syncing'",
      )
      .run(nowIso()).changes;
  }
}

function toServer({ settings_json, refused_json, ...rest }: RawServerRow): ServerRow {
  return {
    ...rest,
    settings: { ...defaultServerSettings, ...(JSON.parse(settings_json) as Partial<ServerSettings>) },
    refused: JSON.parse(refused_json) as RefusedName[],
  };
}
