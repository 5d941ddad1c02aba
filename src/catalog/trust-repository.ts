import { nowIso, type Db } from './database.js';
import { digestOf, pinnedPart } from './digest.js';
import type { ServerRow, ToolDefinition } from './servers-repository.js';

/**
 * A tool against what the user approved: `pinned` (as approved), `changed` (its definition moved
 * since), `new` (a server with approved tools started offering it), `unpinned` (its app does not
 * pin). Only `pinned` and `unpinned` tools are offered.
 */
export type PinState = 'pinned' | 'changed' | 'new' | 'unpinned';

export type Policy = 'allow' | 'ask' | 'deny';

export interface TrustedTool {
  definition: ToolDefinition;
  state: PinState;
  /** The approved definition, when it differs. */
  approved?: ToolDefinition;
}

export function offered(state: PinState): boolean {
  return state === 'pinned' || state === 'unpinned';
}

/** Pinned tool definitions, per-tool policies and the hub-wide default policy. */
export class TrustRepository {
  constructor(private readonly db: Db) {}

  /** Every tool of a server, as listed, with its pin state. A server with no pins yet offers all it lists. */
  tools(server: ServerRow): TrustedTool[] {
    const rows = this.db
      .prepare<[string], { definition_json: string; digest: string | null; pinned: string | null; approved_json: string | null }>(
        `SELECT t.definition_json, t.digest, p.digest AS pinned, p.definition_json AS approved_json
         FROM tools t LEFT JOIN tool_pins p ON p.server_id = t.server_id AND p.name = t.name
         WHERE t.server_id = ? ORDER BY t.position`,
      )
      .all(server.id);
    const pinning = this.appPins(server.app_id);
    const unpinned = !pinning || !this.hasPins(server.id);
    return rows.map((row) => {
      const definition = JSON.parse(row.definition_json) as ToolDefinition;
      if (unpinned) return { definition, state: pinning ? 'pinned' : 'unpinned' };
      if (row.pinned === null) return { definition, state: 'new' };
      if (row.pinned === (row.digest ?? digestOf(pinnedPart(definition)))) return { definition, state: 'pinned' };
      return { definition, state: 'changed', approved: JSON.parse(row.approved_json!) as ToolDefinition };
    });
  }

  /**
   * After a sync: a server's first tools are trusted as the user added it; an app that does not
   * pin keeps its pins current, so pinning later starts from what it offers then.
   */
  pinAfterSync(server: ServerRow, definitions: ToolDefinition[]): void {
    if (!this.hasPins(server.id) || !this.appPins(server.app_id)) this.approve(server.id, definitions);
  }

  /** Accepts these definitions as they are now. */
  approve(serverId: string, definitions: ToolDefinition[]): void {
    const upsert = this.db.prepare(
      `INSERT INTO tool_pins (server_id, name, digest, definition_json, approved_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (server_id, name) DO UPDATE SET digest = excluded.digest, definition_json = excluded.definition_json, approved_at = excluded.approved_at`,
    );
    const now = nowIso();
    this.db.transaction(() => {
      for (const tool of definitions) upsert.run(serverId, tool.name, digestOf(pinnedPart(tool)), JSON.stringify(pinnedPart(tool)), now);
    })();
  }

  appPins(appId: string): boolean {
    return (this.db.prepare<[string], { pin: number }>('SELECT pin FROM apps WHERE id = ?').get(appId)?.pin ?? 1) === 1;
  }

  setAppPins(appId: string, pin: boolean): void {
    this.db.prepare('UPDATE apps SET pin = ? WHERE id = ?').run(pin ? 1 : 0, appId);
  }

  /** The policy set for a tool (`<process>/<tool>`) of an app, if any. */
  policy(appId: string, tool: string): Policy | undefined {
    return this.db.prepare<[string, string], { policy: Policy }>('SELECT policy FROM tool_policies WHERE app_id = ? AND tool = ?').get(appId, tool)?.policy;
  }

  policies(appId: string): { tool: string; policy: Policy }[] {
    return this.db.prepare<[string], { tool: string; policy: Policy }>('SELECT tool, policy FROM tool_policies WHERE app_id = ? ORDER BY tool').all(appId);
  }

  setPolicy(appId: string, tool: string, policy: Policy): void {
    this.db
      .prepare('INSERT INTO tool_policies (app_id, tool, policy) VALUES (?, ?, ?) ON CONFLICT (app_id, tool) DO UPDATE SET policy = excluded.policy')
      .run(appId, tool, policy);
  }

  /** The hub-wide policy for tools not annotated read-only and without a policy of their own. */
  defaultPolicy(): 'allow' | 'ask' {
    const value = this.db.prepare<[], { value: string }>("SELECT value FROM hub_settings WHERE key = 'policy_default'").get()?.value;
    return value === 'ask' ? 'ask' : 'allow';
  }

  setDefaultPolicy(policy: 'allow' | 'ask'): void {
    this.db.prepare("INSERT INTO hub_settings (key, value) VALUES ('policy_default', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(policy);
  }

  private hasPins(serverId: string): boolean {
    return this.db.prepare<[string], { n: number }>('SELECT 1 AS n FROM tool_pins WHERE server_id = ? LIMIT 1').get(serverId) !== undefined;
  }
}
