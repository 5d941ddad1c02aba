import { createHash } from 'node:crypto';
import type Docker from 'dockerode';
import { pack } from 'tar-stream';
import type { VolumeView } from '../shared/api.js';
import type { ServerLaunch } from './sandbox.js';

/** Where the ownership step mounts a volume in its never-started container. */
const initTarget = '/procdock-volume';

type VolumeMount = { Type: 'volume'; Source: string; Target: string; ReadOnly: false };

/**
 * The named volumes apps declare (`"volumes": ["/data"]`): one per app, process and path, labelled
 * with this data dir, kept across calls, rebuilds and restarts until the app is removed.
 */
export class AppVolumes {
  /** Volumes made ready for a user in this hub's lifetime (name@user), or being made so. */
  private readonly ready = new Map<string, Promise<void>>();

  constructor(
    private readonly docker: Docker,
    private readonly home: string,
  ) {}

  name(app: string, processType: string, path: string): string {
    const slug = path.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'root';
    const hash = createHash('sha256').update(path).digest('hex').slice(0, 6);
    return `procdock-${this.home}-${app}-${processType}-${slug}-${hash}`;
  }

  /**
   * The mounts of a launch's volumes, each created if missing and owned by `user` (a new volume
   * belongs to root, and the call container's user could not write it).
   */
  async mounts(spec: ServerLaunch, user: string): Promise<VolumeMount[]> {
    return Promise.all(
      spec.settings.volumes.map(async (path) => {
        const name = this.name(spec.app.name, spec.processType, path);
        const key = `${name}@${user}`;
        let ready = this.ready.get(key);
        if (!ready) {
          ready = this.prepare(name, spec, path, user);
          this.ready.set(key, ready);
          ready.catch(() => this.ready.delete(key));
        }
        await ready;
        return { Type: 'volume' as const, Source: name, Target: path, ReadOnly: false as const };
      }),
    );
  }

  async list(appName?: string): Promise<VolumeView[]> {
    const labels = ['procdock.managed=true', `procdock.home=${this.home}`, ...(appName ? [`procdock.app=${appName}`] : [])];
    const found = (await this.docker.listVolumes({ filters: { label: labels } })).Volumes ?? [];
    const sizes = found.length > 0 ? await this.sizes() : new Map<string, number>();
    return found
      .map((volume): VolumeView => {
        const view: VolumeView = {
          name: volume.Name,
          app: volume.Labels['procdock.app'] ?? '',
          process_type: volume.Labels['procdock.process'] ?? '',
          container_path: volume.Labels['procdock.volume-path'] ?? '',
        };
        const size = sizes.get(volume.Name);
        if (size !== undefined && size >= 0) view.size = size;
        return view;
      })
      .sort((a, b) => `${a.app}/${a.process_type}${a.container_path}`.localeCompare(`${b.app}/${b.process_type}${b.container_path}`));
  }

  /** Removes every volume of an app; its containers must be gone first. */
  async remove(appName: string): Promise<void> {
    for (const volume of await this.list(appName)) {
      await this.docker.getVolume(volume.name).remove();
      for (const key of this.ready.keys()) if (key.startsWith(`${volume.name}@`)) this.ready.delete(key);
    }
  }

  private async prepare(name: string, spec: ServerLaunch, path: string, user: string): Promise<void> {
    const volume = this.docker.getVolume(name);
    const exists = await volume.inspect().then(
      () => true,
      (error: { statusCode?: number }) => {
        if (error.statusCode === 404) return false;
        throw error;
      },
    );
    if (!exists) {
      await this.docker.createVolume({
        Name: name,
        Labels: {
          'procdock.managed': 'true',
          'procdock.home': this.home,
          'procdock.app': spec.app.name,
          'procdock.process': spec.processType,
          'procdock.volume-path': path,
        },
      });
    }
    await this.chown(name, spec, user);
  }

  /**
   * Gives the volume's root to `user` without running anything: the archive API unpacks a folder
   * entry owned by that user onto the volume's mount point in a container that is never started.
   * Docker applies the entry named after the mount point and skips `.`; Podman unpacks into the
   * volume only when the path is inside it, and applies `.` there: both are sent, each engine uses
   * its own. (Podman also gives a new volume to the user of the first container it starts with
   * it; this keeps a volume right when that user changes, as with host folders granted later.)
   */
  private async chown(name: string, spec: ServerLaunch, user: string): Promise<void> {
    const [uid = 1000, gid = 1000] = user.split(':').map(Number);
    const container = await this.docker.createContainer({
      Image: spec.image ?? undefined,
      Cmd: ['true'],
      User: '0:0',
      NetworkDisabled: true,
      Labels: { 'procdock.managed': 'true', 'procdock.home': this.home, 'procdock.app': spec.app.name, 'procdock.call': 'volume' },
      HostConfig: { NetworkMode: 'none', Mounts: [{ Type: 'volume', Source: name, Target: initTarget }] },
    });
    try {
      await container.putArchive(folderEntry(initTarget.slice(1), uid, gid), { path: '/' });
      await container.putArchive(folderEntry('.', uid, gid), { path: initTarget });
    } finally {
      await container.remove({ force: true, v: true }).catch(() => undefined);
    }
  }

  private async sizes(): Promise<Map<string, number>> {
    try {
      const usage = (await this.docker.df()) as { Volumes?: { Name: string; UsageData?: { Size?: number } }[] };
      return new Map((usage.Volumes ?? []).map((v) => [v.Name, v.UsageData?.Size ?? -1]));
    } catch {
      return new Map();
    }
  }
}

/** A tar of one folder entry owned by `uid:gid`. */
function folderEntry(name: string, uid: number, gid: number): NodeJS.ReadableStream {
  const tar = pack();
  tar.entry({ name, type: 'directory', uid, gid, mode: 0o755 });
  tar.finalize();
  return tar as unknown as NodeJS.ReadableStream;
}
