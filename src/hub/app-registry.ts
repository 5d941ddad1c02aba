import { defaultAppName, readAppSource } from '../apps/app-source.js';
import { defaultServerSettings, readServerSettings, type ServerSettings } from '../apps/server-settings.js';
import type { Catalog } from '../catalog/catalog.js';
import type { AppRow } from '../catalog/apps-repository.js';
import type { ModelResourceRow } from '../catalog/models-repository.js';
import type { HostMount } from '../sandbox/sandbox.js';
import type { ParsedInput } from '../shared/operations.js';
import { nameSchema, type AppChange } from '../shared/api.js';
import { AppError } from '../shared/errors.js';

export const defaultResourceName = 'default';

/** Registering apps, attaching them to model resources, and their config vars. */
export class AppRegistry {
  constructor(private readonly catalog: Catalog) {}

  /**
   * Validates and registers an app in one transaction, with the host folders the user granted it
   * (already checked); returns it with its servers still to sync.
   */
  async add(input: ParsedInput<'apps.add'>, mounts: HostMount[] = []): Promise<AppRow> {
    const source = await readAppSource(input.path);
    const settings = await readServerSettings(source.path, source.servers.map((s) => s.name));
    const name = input.name ?? defaultAppName(source.path);
    if (!nameSchema.safeParse(name).success) {
      throw new AppError('invalid_input', `"${name}" is not a valid app name: pick one with --name`);
    }
    const resourceName = input.attach === null ? undefined : (input.attach ?? defaultResourceName);
    return this.catalog.transaction(() => {
      // The same folder again (say, after a failed add was fixed): what re-reads it is apps:build.
      const samePath = this.catalog.apps.list().find((app) => app.path === source.path);
      if (samePath) {
        throw new AppError('conflict', `${source.path} is already registered as app "${samePath.name}": to re-read and rebuild it, run procdock apps:build ${samePath.name}`);
      }
      const taken = this.catalog.apps.findByName(name);
      if (taken) {
        throw new AppError('conflict', `the app name "${name}" is already taken (by ${taken.path}): pick another with --name`);
      }
      const resource = resourceName === undefined ? undefined : this.resource(resourceName);
      if (resource) this.assertNoClash(resource, name, source.servers.map((s) => s.name));
      const app = this.catalog.apps.insert({ name, path: source.path, skipped: source.skipped });
      for (const server of source.servers) {
        this.catalog.servers.insert(app.id, server.name, server.command, settings[server.name] ?? defaultServerSettings);
      }
      if (resource) this.catalog.models.attach(resource.id, app.id);
      for (const mount of mounts) {
        if (Object.values(settings).some((server) => server.volumes.includes(mount.container_path))) {
          throw new AppError('conflict', `${mount.container_path} is an app volume of ${name}: mount the folder elsewhere`);
        }
        if (this.catalog.mounts.find(app.id, mount.container_path)) throw new AppError('conflict', `two folders at ${mount.container_path}`);
        this.catalog.mounts.add(app.id, null, mount);
      }
      return app;
    });
  }

  /**
   * Re-reads an app's Procfile and procdock.json and applies what changed: new processes are added,
   * removed ones dropped, changed commands and settings updated, all in one transaction. Config vars
   * and attachments stay. Refused like `add` (a malformed Procfile, a clash), changing nothing.
   */
  async refresh(app: AppRow): Promise<AppChange[]> {
    const source = await readAppSource(app.path);
    const settings = await readServerSettings(source.path, source.servers.map((s) => s.name));
    return this.catalog.transaction(() => {
      for (const resourceName of this.catalog.models.resourceNamesOf(app.id)) {
        this.assertNoClash(this.resource(resourceName), app.name, source.servers.map((s) => s.name));
      }
      const changes: AppChange[] = [];
      const existing = new Map(this.catalog.servers.listByApp(app.id).map((server) => [server.process_type, server]));
      for (const [name, server] of existing) {
        if (source.servers.some((s) => s.name === name)) continue;
        this.catalog.servers.remove(server.id);
        changes.push({ app: app.name, process: name, what: 'removed (no longer in the Procfile)' });
      }
      for (const entry of source.servers) {
        const wanted = settings[entry.name] ?? defaultServerSettings;
        const server = existing.get(entry.name);
        if (!server) {
          this.catalog.servers.insert(app.id, entry.name, entry.command, wanted);
          changes.push({ app: app.name, process: entry.name, what: `added: ${entry.command}` });
          continue;
        }
        if (server.process_command !== entry.command) {
          this.catalog.servers.setCommand(server.id, entry.command);
          changes.push({ app: app.name, process: entry.name, what: `command changed: ${server.process_command} → ${entry.command}` });
        }
        const changed = settingChanges(server.settings, wanted);
        if (changed) {
          this.catalog.servers.setSettings(server.id, wanted);
          changes.push({ app: app.name, process: entry.name, what: `procdock.json changed: ${changed}` });
        }
      }
      this.catalog.apps.setSkipped(app.id, source.skipped);
      return changes;
    });
  }

  remove(name: string): AppRow {
    const app = this.app(name);
    this.catalog.apps.remove(app.id);
    return app;
  }

  attach(appName: string, resourceName = defaultResourceName): { app: string; resource: string } {
    return this.catalog.transaction(() => {
      const app = this.app(appName);
      const resource = this.resource(resourceName);
      const processTypes = this.catalog.servers.listByApp(app.id).map((s) => s.process_type);
      this.assertNoClash(resource, app.name, processTypes);
      this.catalog.models.attach(resource.id, app.id);
      return { app: app.name, resource: resource.name };
    });
  }

  detach(appName: string, resourceName = defaultResourceName): { app: string; resource: string } {
    const app = this.app(appName);
    const resource = this.resource(resourceName);
    if (!this.catalog.models.detach(resource.id, app.id)) {
      throw new AppError('not_found', `app "${app.name}" is not attached to resource "${resource.name}"`);
    }
    return { app: app.name, resource: resource.name };
  }

  app(name: string): AppRow {
    const app = this.catalog.apps.findByName(name);
    if (!app) throw new AppError('not_found', `no app named "${name}": see procdock apps`);
    return app;
  }

  resource(name: string): ModelResourceRow {
    const resource = this.catalog.models.findByName(name);
    if (!resource) throw new AppError('not_found', `no model resource named "${name}": see procdock models`);
    return resource;
  }

  /** Process names are namespaces: unique among the apps attached to one resource. */
  private assertNoClash(resource: ModelResourceRow, appName: string, processTypes: string[]): void {
    const wanted = new Set(processTypes);
    for (const server of this.catalog.servers.listByResource(resource.id)) {
      if (server.app_name !== appName && wanted.has(server.process_type)) {
        throw new AppError(
          'conflict',
          `process "${server.process_type}" is in both app "${server.app_name}" and app "${appName}": process names must be unique among the apps attached to resource "${resource.name}"; rename one in its Procfile`,
        );
      }
    }
  }
}

/** "memory_mb 512 → 1024, pool 1 → 2", or nothing when the settings are the same. */
function settingChanges(before: ServerSettings, after: ServerSettings): string {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]) as Set<keyof ServerSettings>;
  return [...keys]
    .filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]))
    .map((key) => `${key} ${JSON.stringify(before[key])} → ${JSON.stringify(after[key])}`)
    .join(', ');
}
