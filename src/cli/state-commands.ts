import type { Command } from 'commander';
import type { MountView, VolumeView } from '../shared/api.js';
import { dataCommand, ops, print } from './cli-kit.js';
import { table } from './format.js';

function describeMounts(app: string, mounts: MountView[]): string {
  if (mounts.length === 0) return `${app} has no host folders. Grant one with: procdock mounts:add ${app} HOST_PATH:CONTAINER_PATH[:rw]`;
  return table(
    ['CONTAINER PATH', 'HOST PATH', 'ACCESS', 'SERVER'],
    mounts.map((m) => [m.container_path, m.host_path, m.read_write ? 'read-write' : 'read-only', m.process_type ?? 'all']),
  );
}

function size(bytes: number | undefined): string {
  if (bytes === undefined) return '—';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

function describeVolumes(volumes: VolumeView[]): string {
  if (volumes.length === 0) return 'No app volumes. An app declares them in procdock.json: {"servers": {"mcp-x": {"volumes": ["/data"]}}}';
  return table(
    ['SERVER', 'PATH', 'SIZE', 'VOLUME'],
    volumes.map((v) => [`${v.app}/${v.process_type}`, v.container_path, size(v.size), v.name]),
  );
}

/** volumes and mounts: what lets a server keep state (app volumes) or see files (host folders). */
export function registerStateCommands(program: Command): void {
  dataCommand(program, 'volumes [app]', 'the app volumes (procdock.json "volumes") and their sizes').action((app: string | undefined, o: { json?: boolean }) =>
    ops(async (h) => {
      const volumes = await h.run('volumes.list', { app });
      print(!!o.json, volumes, () => describeVolumes(volumes));
    }),
  );

  dataCommand(program, 'mounts <app>', 'the host folders granted to an app’s servers').action((app: string, o: { json?: boolean }) =>
    ops(async (h) => {
      const mounts = await h.run('mounts.list', { app });
      print(!!o.json, mounts, () => describeMounts(app, mounts));
    }),
  );

  dataCommand(program, 'mounts:add <app> <spec>', 'grant a host folder: HOST_PATH:CONTAINER_PATH, read-only unless it ends in :rw')
    .option('--process <process>', 'only this server of the app (default: all of them)')
    .action((app: string, spec: string, o: { json?: boolean; process?: string }) =>
      ops(async (h) => {
        const { parseMountSpec } = await import('../apps/host-mounts.js');
        const { host_path, container_path, read_write } = parseMountSpec(spec, process.cwd());
        const mount = await h.run('mounts.add', { app, host_path, container_path, read_write, process: o.process });
        print(!!o.json, mount, () => `${app}${mount.process_type ? `/${mount.process_type}` : ''} ${mount.description}.`);
      }),
    );

  dataCommand(program, 'mounts:remove <app> <container-path>', 'take a granted host folder back').action(
    (app: string, containerPath: string, o: { json?: boolean }) =>
      ops(async (h) => print(!!o.json, await h.run('mounts.remove', { app, container_path: containerPath }), () => `${app} no longer sees ${containerPath}.`)),
  );
}
