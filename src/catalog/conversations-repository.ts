import { randomUUID } from 'node:crypto';
import type { ConversationSummary, ConversationView } from '../shared/api.js';
import { nowIso, type Db } from './database.js';

interface RawConversation {
  id: string;
  title: string;
  resource_name: string;
  tools_json: string;
  entries_json: string;
  created_at: string;
  updated_at: string;
}

export interface ConversationInput {
  id?: string | undefined;
  title: string;
  resource: string;
  tools: string[];
  entries: unknown[];
}

/** The desktop chat's conversations: each transcript kept whole, as the chat shows it. */
export class ConversationsRepository {
  constructor(private readonly db: Db) {}

  list(): ConversationSummary[] {
    return this.db
      .prepare<[], RawConversation>('SELECT id, title, resource_name, created_at, updated_at FROM conversations ORDER BY updated_at DESC, rowid DESC')
      .all()
      .map(toSummary);
  }

  find(id: string): ConversationView | undefined {
    const row = this.db.prepare<[string], RawConversation>('SELECT * FROM conversations WHERE id = ?').get(id);
    return row && { ...toSummary(row), tools: JSON.parse(row.tools_json) as string[], entries: JSON.parse(row.entries_json) as unknown[] };
  }

  /** Creates the conversation, or replaces the transcript of the one with this id. */
  save(input: ConversationInput): string {
    const now = nowIso();
    const id = input.id ?? randomUUID();
    this.db
      .prepare(
        `INSERT INTO conversations (id, title, resource_name, tools_json, entries_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET resource_name = excluded.resource_name, tools_json = excluded.tools_json,
           entries_json = excluded.entries_json, updated_at = excluded.updated_at`,
      )
      .run(id, input.title, input.resource, JSON.stringify(input.tools), JSON.stringify(input.entries), now, now);
    return id;
  }

  rename(id: string, title: string): boolean {
    return this.db.prepare('UPDATE conversations SET title = ?, updated_at = ? WHERE id = ?').run(title, nowIso(), id).changes > 0;
  }

  remove(id: string): boolean {
    return this.db.prepare('DELETE FROM conversations WHERE id = ?').run(id).changes > 0;
  }
}

function toSummary(row: RawConversation): ConversationSummary {
  return { id: row.id, title: row.title, resource: row.resource_name, created_at: row.created_at, updated_at: row.updated_at };
}
