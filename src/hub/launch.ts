import type { Catalog } from '../catalog/catalog.js';
import type { ServerRow } from '../catalog/servers-repository.js';
import type { ServerLaunch } from '../sandbox/sandbox.js';

/** What the sandbox needs to start one of a server's processes, read fresh from the catalog. */
export function launchOf(catalog: Catalog, server: ServerRow, purpose: ServerLaunch['purpose'], callId?: string): ServerLaunch {
  const launch: ServerLaunch = {
    app: { name: server.app_name, path: server.app_path },
    image: server.app_image,
    processType: server.process_type,
    command: server.process_command,
    env: catalog.config.get(server.app_id),
    settings: server.settings,
    purpose,
  };
  if (callId) launch.callId = callId;
  return launch;
}
