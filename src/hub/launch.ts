import type { Catalog } from '../catalog/catalog.js';
import type { ServerRow } from '../catalog/servers-repository.js';
import type { SandboxProcess, ServerLaunch } from '../sandbox/sandbox.js';
import type { UpstreamOptions, UpstreamSession } from '../upstream/upstream-session.js';

/** What the sandbox needs to start one of a server's processes, read fresh from the catalog. */
export function launchOf(catalog: Catalog, server: ServerRow, purpose: ServerLaunch['purpose'], callId?: string): ServerLaunch {
  const launch: ServerLaunch = {
    app: { name: server.app_name, path: server.app_path },
    image: server.app_image,
    processType: server.process_type,
    command: server.process_command,
    env: catalog.config.get(server.app_id),
    settings: server.settings,
    mounts: catalog.mounts.forServer(server.app_id, server.process_type).map(({ host_path, container_path, read_write }) => ({ host_path, container_path, read_write })),
    purpose,
  };
  if (callId) launch.callId = callId;
  return launch;
}

/**
 * Opens an MCP session to a launched server. The MCP SDK loads on first use, so a CLI command
 * that only reads the catalog never pays for it.
 */
export async function openSession(proc: SandboxProcess, options: UpstreamOptions): Promise<UpstreamSession> {
  const { UpstreamSession } = await import('../upstream/upstream-session.js');
  return UpstreamSession.open(proc, options);
}
