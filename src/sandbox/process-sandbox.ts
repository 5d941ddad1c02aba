import { spawn, type ChildProcess } from 'node:child_process';
import { delimiter, join } from 'node:path';
import { AppError } from '../shared/errors.js';
import type { VolumeView } from '../shared/api.js';
import type { BaseImageState, ExitInfo, PreparedApp, Sandbox, SandboxProcess, SandboxStatus, ServerLaunch } from './sandbox.js';

/** Host variables a plain child process needs to find its tools; nothing else of the host leaks in. */
const passedHostVars = ['PATH', 'HOME', 'USER', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'SystemRoot', 'COMSPEC', 'PATHEXT'];

/**
 * Runs each server as a plain child process in the app's folder. Not isolated: only for users who
 * pick it, and shown as unsandboxed everywhere.
 */
export class ProcessSandbox implements Sandbox {
  readonly kind = 'process';
  readonly sandboxed = false;
  private readonly live = new Set<ProcessHandle>();

  start(): Promise<void> {
    return Promise.resolve();
  }

  status(): Promise<SandboxStatus> {
    return Promise.resolve({ ready: true });
  }

  baseImages(): Promise<BaseImageState[]> {
    return Promise.resolve([]);
  }

  /** Plain processes run from the app's folder as it is: nothing to build. */
  prepare(): Promise<PreparedApp> {
    return Promise.resolve({ image: null, hash: null, built: false });
  }

  async forget(app: { name: string }): Promise<void> {
    await Promise.all([...this.live].filter((h) => h.appName === app.name).map((h) => h.dispose()));
  }

  /** Plain processes run here; launch says why they cannot be given a folder at another path. */
  hostFoldersRefused(): undefined {
    return undefined;
  }

  volumes(): Promise<VolumeView[]> {
    return Promise.resolve([]);
  }

  launch(spec: ServerLaunch, signal?: AbortSignal): Promise<SandboxProcess> {
    signal?.throwIfAborted();
    if (spec.settings.volumes.length > 0 || (spec.mounts?.length ?? 0) > 0) {
      // A plain process sees the host as it is: it cannot be given /data or a folder at another path.
      throw new AppError('sandbox', `${spec.app.name}/${spec.processType}: volumes and host folders need the Docker sandbox, not PROCDOCK_SANDBOX=process`);
    }
    const child = spawn(spec.command, {
      cwd: spec.app.path,
      env: serverEnv(spec),
      shell: true,
      detached: process.platform !== 'win32',
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return new Promise((resolve, reject) => {
      child.once('error', (error) =>
        reject(new AppError('sandbox', `${spec.app.name}/${spec.processType}: cannot start: ${error.message}`)),
      );
      child.once('spawn', () => {
        const handle = new ProcessHandle(child, spec.app.name, () => this.live.delete(handle));
        this.live.add(handle);
        resolve(handle);
      });
    });
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.live].map((handle) => handle.dispose()));
  }
}

function serverEnv(spec: ServerLaunch): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of passedHostVars) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  // Like `npm run`, put the app's own installed binaries first.
  env.PATH = [join(spec.app.path, 'node_modules', '.bin'), env.PATH].filter(Boolean).join(delimiter);
  return { ...env, ...spec.env };
}

class ProcessHandle implements SandboxProcess {
  readonly id: string;
  readonly exited: Promise<ExitInfo>;
  private disposing: Promise<ExitInfo> | undefined;

  constructor(
    private readonly child: ChildProcess,
    readonly appName: string,
    onExit: () => void,
  ) {
    this.id = `pid:${child.pid ?? 0}`;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        onExit();
        resolve({ code, signal });
      });
    });
    // A server that dies mid-write must not crash the hub with EPIPE.
    child.stdin?.on('error', () => undefined);
  }

  get stdin() {
    return this.child.stdin!;
  }
  get stdout() {
    return this.child.stdout!;
  }
  get stderr() {
    return this.child.stderr!;
  }

  /** Closes stdin, then SIGTERM after a grace period, then SIGKILL, to the whole process group. */
  dispose(): Promise<ExitInfo> {
    this.disposing ??= (async () => {
      this.child.stdin?.end();
      if (!(await settlesWithin(this.exited, 300))) {
        this.signal('SIGTERM');
        if (!(await settlesWithin(this.exited, 1500))) this.signal('SIGKILL');
      }
      // The shell may exit before its children: make sure the group is gone.
      this.signal('SIGKILL');
      return this.exited;
    })();
    return this.disposing;
  }

  private signal(name: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      if (process.platform === 'win32') this.child.kill(name);
      else process.kill(-pid, name);
    } catch {
      // Already gone.
    }
  }
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const settled = await Promise.race([promise.then(() => true as const), timeout]);
  clearTimeout(timer);
  return settled;
}
