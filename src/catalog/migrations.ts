/**
 * Numbered schema migrations. Each runs once, in order, inside one transaction with the bump of
 * `PRAGMA user_version`, so a process killed mid-migration leaves the previous version intact.
 * Append only: never edit a migration that has shipped.
 */
export const migrations: readonly string[] = [
  // 1: apps, servers, tools, model resources, attachments, config vars, call records.
  `
  CREATE TABLE apps (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    path TEXT NOT NULL,
    skipped_json TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE servers (
    id TEXT PRIMARY KEY,
    app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    process_type TEXT NOT NULL,
    process_command TEXT NOT NULL,
    server_status TEXT NOT NULL DEFAULT 'registered' CHECK (server_status IN ('registered', 'disconnected')),
    primitives_status TEXT NOT NULL DEFAULT 'syncing' CHECK (primitives_status IN ('syncing', 'synced', 'error')),
    primitives_error TEXT,
    server_info_json TEXT,
    synced_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (app_id, process_type)
  );
  CREATE TABLE tools (
    server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    definition_json TEXT NOT NULL,
    PRIMARY KEY (server_id, name)
  );
  CREATE TABLE model_resources (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    provider TEXT NOT NULL CHECK (provider IN ('openai', 'anthropic')),
    model_id TEXT NOT NULL,
    base_url TEXT,
    api_key_env TEXT,
    api_key_secret TEXT,
    inference_key_secret TEXT NOT NULL,
    inference_key_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE attachments (
    resource_id TEXT NOT NULL REFERENCES model_resources(id) ON DELETE CASCADE,
    app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (resource_id, app_id)
  );
  CREATE TABLE config_vars (
    app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value_secret TEXT NOT NULL,
    PRIMARY KEY (app_id, key)
  );
  CREATE TABLE calls (
    id TEXT PRIMARY KEY,
    resource_name TEXT,
    server_id TEXT,
    app_name TEXT NOT NULL,
    process_type TEXT NOT NULL,
    tool TEXT NOT NULL,
    arguments_json TEXT NOT NULL,
    result_json TEXT,
    error TEXT,
    is_error INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL CHECK (status IN ('running', 'ok', 'error')),
    sandbox TEXT NOT NULL,
    container_id TEXT,
    exit_code INTEGER,
    queued_ms REAL,
    start_ms REAL,
    init_ms REAL,
    run_ms REAL,
    total_ms REAL,
    started_at TEXT NOT NULL,
    finished_at TEXT
  );
  CREATE INDEX calls_by_start ON calls (started_at DESC);
  `,
  // 2: each app's image (tag, content hash, build state) and each server's sandbox settings.
  `
  ALTER TABLE apps ADD COLUMN image TEXT;
  ALTER TABLE apps ADD COLUMN image_hash TEXT;
  ALTER TABLE apps ADD COLUMN build_status TEXT NOT NULL DEFAULT 'none'
    CHECK (build_status IN ('none', 'building', 'built', 'error'));
  ALTER TABLE apps ADD COLUMN build_error TEXT;
  ALTER TABLE servers ADD COLUMN settings_json TEXT NOT NULL DEFAULT '{}';
  `,
  // 3: whether a call was served by a warm container.
  `
  ALTER TABLE calls ADD COLUMN warm INTEGER NOT NULL DEFAULT 0;
  `,
  // 4: the resources, resource templates and prompts each server lists, exactly as it lists them.
  `
  CREATE TABLE primitives (
    server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('resource', 'template', 'prompt')),
    position INTEGER NOT NULL,
    key TEXT NOT NULL,
    definition_json TEXT NOT NULL,
    PRIMARY KEY (server_id, kind, position)
  );
  `,
  // 5: host folders the user granted an app's servers (never a repo's own files).
  `
  CREATE TABLE mounts (
    app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    process_type TEXT,
    host_path TEXT NOT NULL,
    container_path TEXT NOT NULL,
    read_write INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    PRIMARY KEY (app_id, container_path)
  );
  `,
  // 6: the tools and prompts a sync refused (names that would shadow another server's), with why.
  `
  ALTER TABLE servers ADD COLUMN refused_json TEXT NOT NULL DEFAULT '[]';
  `,
  // 7: trust: each server's approved tool definitions (pins), per-tool policies, the hub-wide
  // default, and the decision behind every call.
  `
  ALTER TABLE apps ADD COLUMN pin INTEGER NOT NULL DEFAULT 1;
  CREATE TABLE tool_pins (
    server_id TEXT NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    digest TEXT NOT NULL,
    definition_json TEXT NOT NULL,
    approved_at TEXT NOT NULL,
    PRIMARY KEY (server_id, name)
  );
  CREATE TABLE tool_policies (
    app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    tool TEXT NOT NULL,
    policy TEXT NOT NULL CHECK (policy IN ('allow', 'ask', 'deny')),
    PRIMARY KEY (app_id, tool)
  );
  CREATE TABLE hub_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  ALTER TABLE calls ADD COLUMN decision TEXT;
  ALTER TABLE tools ADD COLUMN digest TEXT;
  `,
  // 8: the desktop chat's conversations, each with its transcript and the tools picked for it.
  `
  CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    resource_name TEXT NOT NULL,
    tools_json TEXT NOT NULL DEFAULT '[]',
    entries_json TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX conversations_by_update ON conversations (updated_at DESC);
  `,
];
