import { createHash, randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { PassThrough, type Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { defaultServerSettings } from '../apps/server-defaults.js';
import { AppError } from '../shared/errors.js';
import { attachStdio } from './container-attach.js';
import { connectEngine, engineError, identifyEngine, isEngineDown, messageOf, type EngineConnection, type EngineIdentity, type EngineVersion } from './engine-connection.js';
import { resolveEngineEndpoint, type EngineEndpoint } from './engine-endpoint.js';
import { baseImagesFromEnv, ImageBuilder, removedWhileBuilding, type BaseImages } from './image-builder.js';
import { nodeCacheDir, nodeCacheLabel, parseWarmOutput, warmCommand, warmEnv } from './node-cache.js';
import type { VolumeView } from '../shared/api.js';
import type { AppRef, BaseImageState, ExitInfo, PreparedApp, Sandbox, SandboxProcess, SandboxStatus, ServerLaunch } from './sandbox.js';
import { AppVolumes } from './volumes.js';

export interface DockerSandboxOptions {
  /** Distinguishes this data dir's containers from another hub's on the same engine. */
  dataDir: string;
  /** The engine; by default the one the Docker CLI would use (DOCKER_HOST, DOCKER_CONTEXT, …). */
  endpoint?: EngineEndpoint;
  /** A client of that engine, for tests that bring their own. */
  docker?: Docker;
  baseImages?: BaseImages;
  buildNetwork?: string;
  /** How often leftovers are swept while running. */
  sweepIntervalMs?: number;
}

const tmpfsSize = '64m';
const pidsLimit = 256;
/**
 * The CPU limit's accounting period, in µs: `cpus` CPUs on average over each half second. Docker's
 * `--cpus` counts over 100 ms, and a server starting up (V8 compiling and collecting on threads of
 * its own beside the main one) runs past that quota and waits out each period's rest: in the bench,
 * server-everything's `initialize` took 11-13% longer (427 and 458 ms against 379 and 399) for the
 * same average limit.
 */
const cpuPeriodUs = 500_000;
/** The user every call runs as, whatever the image says. */
const user = '1000:1000';

/**
 * One hardened container per server start, through dockerode against the engine the Docker CLI
 * would use: a local socket (Docker, Podman), or a remote engine over TLS or ssh. Without an engine
 * every launch fails with "no Docker engine: …", and recovers by itself when the engine answers again.
 */
export class DockerSandbox implements Sandbox {
  readonly kind = 'docker';
  readonly sandboxed = true;
  private client: Promise<Engine> | undefined;
  private endpoint: EngineEndpoint | undefined;
  private readonly home: string;
  private readonly live = new Map<string, ContainerProcess>();
  /**
   * Launches whose container the engine may have made before the hub heard its id: each container
   * carries its launch's label, so the sweep does not take one that is about to start.
   */
  private readonly launching = new Set<string>();
  /** Builds running, by app name: removing an app stops its build. */
  private readonly building = new Map<string, { abort: AbortController; done: Promise<PreparedApp> }>();
  /** Per image: whether it holds Node's compile cache. */
  private readonly nodeCaches = new Map<string, Promise<boolean>>();
  /** Node base images whose node keeps no compile cache: their builds skip the warm-up. */
  private readonly noCompileCache = new Set<string>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly options: DockerSandboxOptions) {
    this.home = createHash('sha256').update(options.dataDir).digest('hex').slice(0, 12);
  }

  /** The engine client, loaded on first use: a CLI command that only reads the catalog never pays for it. */
  private engine(): Promise<Engine> {
    this.client ??= (async () => {
      const endpoint = this.where();
      const connection: EngineConnection = this.options.docker ? { docker: this.options.docker, endpoint, close: () => undefined } : await connectEngine(endpoint);
      const { docker } = connection;
      const images = new ImageBuilder(docker, this.home, this.options.baseImages ?? baseImagesFromEnv(), this.options.buildNetwork ?? 'bridge');
      return { docker, connection, images, volumes: new AppVolumes(docker, this.home) };
    })();
    return this.client;
  }

  /** Where the engine is; a setting that cannot work (a missing context, certificate) throws, naming it. */
  private where(): EngineEndpoint {
    this.endpoint ??= this.options.endpoint ?? resolveEngineEndpoint();
    return this.endpoint;
  }

  /** Why host folders cannot be granted here: on a remote engine a bind mount names that machine's folders. */
  hostFoldersRefused(): string | undefined {
    let endpoint: EngineEndpoint;
    try {
      endpoint = this.where();
    } catch {
      return undefined;
    }
    if (!endpoint.remote) return undefined;
    return `the engine is on another machine (${endpoint.host}, ${endpoint.source}): a host folder would be that machine's folder, not yours, so none can be granted while Procdock uses it`;
  }

  async start(): Promise<void> {
    // A busy engine is waited for, so nothing a killed hub left is there when this one serves; an
    // engine that does not answer at all must not hold the start: then the sweep goes on behind it.
    const { docker } = await this.engine();
    const answers = await withTimeout(docker.ping(), 3000, 'the engine did not answer').then(
      () => true,
      () => false,
    );
    const swept = this.sweep().catch(() => undefined);
    if (answers) await swept;
    this.sweeper = setInterval(() => void this.sweep().catch(() => undefined), this.options.sweepIntervalMs ?? 30_000);
    this.sweeper.unref();
  }

  async status(): Promise<SandboxStatus> {
    let engine: Engine | undefined;
    try {
      engine = await this.engine();
      const { docker, connection } = engine;
      await withTimeout(docker.ping(), 3000, 'the engine did not answer within 3 s');
      // Asked once per engine: Podman takes a second or more to gather its version.
      engine.identity ??= docker.version().then((version: EngineVersion) => identifyEngine(version, connection.endpoint));
      const id = await withTimeout(engine.identity, 20_000, 'the engine did not say its version within 20 s');
      return { ready: true, engine: id.description, engine_name: id.name, engine_version: id.version, engine_host: id.host, remote: id.remote };
    } catch (error) {
      // The engine may be another one when it answers again.
      if (engine) engine.identity = undefined;
      const reason = error instanceof AppError ? error.message : engineError(error, this.endpoint).message;
      return { ready: false, reason, ...(this.endpoint ? { engine_host: this.endpoint.host, remote: this.endpoint.remote } : {}) };
    }
  }

  async baseImages(): Promise<BaseImageState[]> {
    const { docker } = await this.engine();
    const bases = this.options.baseImages ?? baseImagesFromEnv();
    return Promise.all(
      Object.entries(bases).map(async ([language, image]): Promise<BaseImageState> => {
        try {
          await withTimeout(docker.getImage(image).inspect(), 3000, 'the engine did not answer');
          return { language, image, state: 'present' };
        } catch {
          // Not here: ask the registry whether it could be pulled, without pulling it.
        }
        try {
          await withTimeout(docker.getImage(image).distribution({}), 5000, 'the registry did not answer within 5 s');
          return { language, image, state: 'pullable' };
        } catch (error) {
          return { language, image, state: 'missing', reason: messageOf(error).trim() };
        }
      }),
    );
  }

  async prepare(app: AppRef, onProgress: (line: string) => void = () => undefined): Promise<PreparedApp> {
    const abort = new AbortController();
    const done = this.build(app, onProgress, abort.signal);
    this.building.set(app.name, { abort, done });
    try {
      return await done;
    } finally {
      if (this.building.get(app.name)?.abort === abort) this.building.delete(app.name);
    }
  }

  private async build(app: AppRef, onProgress: (line: string) => void, signal: AbortSignal): Promise<PreparedApp> {
    const { images } = await this.engine();
    try {
      const { nodeBase, ...prepared } = await images.prepare(app, onProgress, signal);
      if (prepared.built && nodeBase && prepared.image && app.commands?.length && !this.noCompileCache.has(nodeBase)) {
        if (!(await this.addNodeCache(app, prepared.image, onProgress, signal))) this.noCompileCache.add(nodeBase);
      }
      return prepared;
    } catch (error) {
      throw isEngineDown(error) ? engineError(error, this.endpoint) : error;
    }
  }

  /**
   * Fills Node's compile cache for a node app's new image (see node-cache.ts): a container with the
   * call defaults starts each server once, and what it leaves is added to the image. Only a faster
   * start is at stake, so a failure is said and the build stands. False when the image's node keeps
   * no compile cache.
   */
  private async addNodeCache(app: AppRef, image: string, onProgress: (line: string) => void, signal: AbortSignal): Promise<boolean> {
    const commands = app.commands ?? [];
    onProgress(`Filling Node's compile cache: starting ${commands.length === 1 ? 'the server' : `each of ${commands.length} servers`} once, with no network and no config vars…`);
    try {
      const proc = await this.launch(
        { app, image, processType: 'node-cache', command: warmCommand, env: warmEnv(commands), settings: defaultServerSettings, purpose: 'sync' },
        signal,
      );
      const stop = () => void proc.dispose();
      signal.addEventListener('abort', stop, { once: true });
      let text: string;
      try {
        // The script's own limits: no server started after 60 s, each stopped within 20 s.
        text = await readToEnd(proc, 100_000);
      } finally {
        signal.removeEventListener('abort', stop);
        await proc.dispose();
      }
      if (signal.aborted) throw removedWhileBuilding(app.name);
      const outcome = parseWarmOutput(text);
      if (!outcome.supported) {
        onProgress(`Node ${outcome.version} in this image keeps no compile cache (Node 22.10 and later do): skipped.`);
        return false;
      }
      if (outcome.files.length === 0) {
        onProgress(`No server left a compile cache (${outcome.answered} of ${commands.length} answered tools/list): skipped.`);
        return true;
      }
      const { images } = await this.engine();
      await images.addNodeCache(app.name, image, outcome.files, signal);
      this.nodeCaches.set(image, Promise.resolve(true));
      const kib = Math.round(outcome.files.reduce((sum, file) => sum + file.data.length, 0) / 1024);
      onProgress(`Added Node's compile cache to the image: ${outcome.files.length} files, ${kib} KiB (${outcome.answered} of ${commands.length} servers answered tools/list).`);
    } catch (error) {
      if (isEngineDown(error) || signal.aborted) throw signal.aborted ? removedWhileBuilding(app.name) : error;
      onProgress(`Node's compile cache was not added, so calls start without it: ${messageOf(error)}`);
    }
    return true;
  }

  /** Whether an image holds a compile cache: asked of the engine once per image. */
  private hasNodeCache(image: string): Promise<boolean> {
    let known = this.nodeCaches.get(image);
    if (!known) {
      known = this.engine()
        .then(({ docker }) => docker.getImage(image).inspect())
        .then((info: { Config?: { Labels?: Record<string, string> | null } }) => info.Config?.Labels?.[nodeCacheLabel] === nodeCacheDir)
        .catch(() => false);
      this.nodeCaches.set(image, known);
    }
    return known;
  }

  async launch(spec: ServerLaunch, signal?: AbortSignal): Promise<SandboxProcess> {
    signal?.throwIfAborted();
    if (!spec.image) {
      throw new AppError('sandbox', `app "${spec.app.name}" has no image yet: run procdock apps:build ${spec.app.name}`);
    }
    const refused = spec.mounts?.length ? this.hostFoldersRefused() : undefined;
    if (refused) throw new AppError('sandbox', `${spec.app.name}/${spec.processType} has host folders, but ${refused}: procdock mounts ${spec.app.name} lists them`);
    const { docker, volumes } = await this.engine();
    await this.checkLimits(spec);
    let container: Docker.Container;
    const launch = randomUUID();
    this.launching.add(launch);
    try {
      const user = containerUser(spec);
      const cache = (await this.hasNodeCache(spec.image)) ? [`NODE_COMPILE_CACHE=${nodeCacheDir}`] : [];
      container = await docker.createContainer(this.containerSpec(spec, user, await volumes.mounts(spec, user), launch, cache));
    } catch (error) {
      if (isEngineDown(error)) throw engineError(error, this.endpoint);
      throw new AppError('sandbox', `${spec.app.name}/${spec.processType}: cannot create a container: ${messageOf(error)}${initHint(error)}`);
    } finally {
      this.launching.delete(launch);
    }
    const proc = new ContainerProcess(container, spec.app.name, () => this.live.delete(container.id));
    this.live.set(container.id, proc);
    try {
      await proc.start();
      return proc;
    } catch (error) {
      await proc.dispose();
      if (isEngineDown(error)) throw engineError(error, this.endpoint);
      throw new AppError('sandbox', `${spec.app.name}/${spec.processType}: cannot start its container: ${messageOf(error)}`);
    }
  }

  /** Refuses settings the engine cannot give (more CPUs or memory than it has), naming them. */
  private async checkLimits(spec: ServerLaunch): Promise<void> {
    const engine = await this.engine();
    engine.limits ??= engine.docker.info().then((info: { NCPU?: number; MemTotal?: number }) => ({ cpus: info.NCPU ?? Infinity, memory: info.MemTotal ?? Infinity }));
    const limits = await engine.limits.catch(() => ({ cpus: Infinity, memory: Infinity }));
    const { cpus, memory_mb } = spec.settings;
    const where = `${spec.app.name}/${spec.processType}: procdock.json asks for`;
    if (cpus > limits.cpus) throw new AppError('invalid_input', `${where} ${cpus} CPUs; the engine has ${limits.cpus}`);
    if (memory_mb * 1024 * 1024 > limits.memory) {
      throw new AppError('invalid_input', `${where} ${memory_mb} MiB of memory; the engine has ${Math.floor(limits.memory / 1024 / 1024)} MiB`);
    }
  }

  async forget(app: AppRef, options: { keepData?: boolean } = {}): Promise<void> {
    // A build still running would tag its image after the removal: stop it, and let it end first.
    const build = this.building.get(app.name);
    build?.abort.abort();
    await build?.done.catch(() => undefined);
    await Promise.all([...this.live.values()].filter((p) => p.appName === app.name).map((p) => p.dispose()));
    await this.removeContainers([`procdock.app=${app.name}`]);
    const { images, volumes } = await this.engine();
    await images.removeAll(app.name).catch(() => undefined);
    this.nodeCaches.clear();
    if (!options.keepData) await volumes.remove(app.name);
  }

  async volumes(appName?: string): Promise<VolumeView[]> {
    const { volumes } = await this.engine();
    try {
      return await volumes.list(appName);
    } catch (error) {
      throw isEngineDown(error) ? engineError(error, this.endpoint) : error;
    }
  }

  async dispose(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.live.values()].map((p) => p.dispose()));
    const engine = await this.client?.catch(() => undefined);
    engine?.connection.close();
  }

  /**
   * Removes this hub's containers that no live process owns: leftovers of a killed hub, or of a
   * crash. A container still being launched is not a leftover, though the engine lists it before
   * the hub has its id. Nor is a build's: the engine's builder turns an image's labels into steps
   * of their own, and the container of the last one carries the hub's labels (but no
   * procdock.call, which every container the hub makes has); the builder removes it itself.
   */
  async sweep(): Promise<number> {
    return this.removeContainers(
      [],
      (c) => c.Labels?.['procdock.call'] !== undefined && !this.live.has(c.Id) && !this.launching.has(c.Labels['procdock.launch'] ?? ''),
    );
  }

  private async removeContainers(labels: string[], doom: (container: Docker.ContainerInfo) => boolean = () => true): Promise<number> {
    const { docker } = await this.engine();
    const found = await docker.listContainers({
      all: true,
      filters: { label: ['procdock.managed=true', `procdock.home=${this.home}`, ...labels] },
    });
    const doomed = found.filter(doom);
    await Promise.all(doomed.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined)));
    return doomed.length;
  }

  private containerSpec(
    spec: ServerLaunch,
    user: string,
    volumes: Docker.MountSettings[],
    launch: string,
    sandboxEnv: string[],
  ): Docker.ContainerCreateOptions {
    const { settings } = spec;
    const memory = settings.memory_mb * 1024 * 1024;
    const binds = (spec.mounts ?? []).map(
      (mount): Docker.MountSettings => ({ Type: 'bind', Source: mount.host_path, Target: mount.container_path, ReadOnly: !mount.read_write }),
    );
    return {
      Image: spec.image ?? undefined,
      Cmd: ['/bin/sh', '-c', spec.command],
      // The app's config vars come last: one of the same name wins.
      Env: ['HOME=/tmp', ...sandboxEnv, ...Object.entries(spec.env).map(([k, v]) => `${k}=${v}`)],
      User: user,
      OpenStdin: true,
      StdinOnce: true,
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      NetworkDisabled: settings.network === 'none',
      Labels: {
        'procdock.managed': 'true',
        'procdock.home': this.home,
        'procdock.app': spec.app.name,
        'procdock.server': `${spec.app.name}/${spec.processType}`,
        'procdock.call': spec.callId ?? spec.purpose,
        'procdock.launch': launch,
      },
      HostConfig: {
        NetworkMode: settings.network,
        ReadonlyRootfs: settings.read_only,
        Tmpfs: { '/tmp': `rw,${spec.scratch?.exec ? 'exec,' : ''}nosuid,nodev,size=${spec.scratch ? `${spec.scratch.size_mb}m` : tmpfsSize}` },
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges'],
        Memory: memory,
        MemorySwap: memory,
        CpuPeriod: cpuPeriodUs,
        CpuQuota: Math.round(settings.cpus * cpuPeriodUs),
        PidsLimit: pidsLimit,
        Init: true,
        // The hub reads stdio over attach; the engine keeps no copy of results and stderr on its disk.
        LogConfig: { Type: 'none', Config: {} },
        AutoRemove: false,
        Mounts: [...volumes, ...binds],
      },
    };
  }
}

/** A call container: attached stdio, started; `dispose()` removes it. */
class ContainerProcess implements SandboxProcess {
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly stdin = new PassThrough();
  readonly exited: Promise<ExitInfo>;
  private resolveExit!: (info: ExitInfo) => void;
  private disposing: Promise<ExitInfo> | undefined;
  /** Stops holding the engine back: what the container writes from now on is dropped. */
  private discard: () => void = () => undefined;

  constructor(
    private readonly container: Docker.Container,
    readonly appName: string,
    private readonly onGone: () => void,
  ) {
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
  }

  get id(): string {
    return this.container.id;
  }

  async start(): Promise<void> {
    const stream = await attachStdio(this.container);
    this.discard = demux(stream, this.stdout, this.stderr);
    stream.on('end', () => {
      this.stdout.end();
      this.stderr.end();
    });
    stream.on('error', () => undefined);
    this.stdin.pipe(stream);
    // Ask for the exit before starting, so a server that dies at once is still seen.
    const waited = this.container.wait({ condition: 'next-exit' });
    await this.container.start();
    void waited.then(
      (result: { StatusCode?: number }) => this.resolveExit({ code: result.StatusCode ?? null, signal: null }),
      () => this.resolveExit({ code: null, signal: 'SIGKILL' }),
    );
  }

  dispose(): Promise<ExitInfo> {
    this.disposing ??= (async () => {
      // The engine's rm -f waits until the container's output is read, and nobody reads it now.
      this.discard();
      // `v`: the anonymous volumes of the image's VOLUME lines go with the container.
      await this.container.remove({ force: true, v: true }).catch(() => undefined);
      // A removed container's wait may never answer: give it a moment, then call it killed.
      let timer: NodeJS.Timeout | undefined;
      const exit = await Promise.race([
        this.exited,
        new Promise<ExitInfo>((resolve) => (timer = setTimeout(() => resolve({ code: null, signal: 'SIGKILL' }), 2000))),
      ]);
      clearTimeout(timer);
      this.resolveExit(exit);
      this.stdout.end();
      this.stderr.end();
      this.onGone();
      return exit;
    })();
    return this.disposing;
  }
}

/**
 * Splits Docker's multiplexed attach stream (8-byte frame headers) into stdout and stderr, with
 * backpressure: while a reader is behind, the socket is not read, so the container blocks on its
 * own writes and the hub's memory stays flat (docker-modem's demuxStream buffers without limit).
 * Returns the way out for a container being removed: from then on the socket is read and dropped,
 * since the engine does not finish removing a container whose output is still unread.
 */
function demux(source: Duplex, stdout: PassThrough, stderr: PassThrough): () => void {
  let chunks: Buffer[] = [];
  let buffered = 0;
  let raw = false;
  let dropping = false;
  const take = (bytes: number): Buffer => {
    const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, buffered);
    chunks = all.length > bytes ? [all.subarray(bytes)] : [];
    buffered -= bytes;
    return all.subarray(0, bytes);
  };
  const write = (target: PassThrough, data: Buffer) => {
    if (target.write(data)) return;
    source.pause();
    target.once('drain', () => source.resume());
  };
  source.on('data', (chunk: Buffer) => {
    if (dropping) return;
    if (raw) return write(stdout, chunk);
    chunks.push(chunk);
    buffered += chunk.length;
    while (buffered >= 8) {
      if (chunks[0]!.length < 8) chunks = [Buffer.concat(chunks, buffered)];
      const header = chunks[0]!;
      const kind = header.readUInt8(0);
      if (kind > 2) {
        // Not multiplexed (a TTY): everything is stdout from here on.
        raw = true;
        return write(stdout, take(buffered));
      }
      const length = header.readUInt32BE(4);
      if (buffered < 8 + length) return;
      take(8);
      write(kind === 2 ? stderr : stdout, take(length));
    }
  });
  return () => {
    dropping = true;
    chunks = [];
    buffered = 0;
    source.resume();
  };
}

interface Engine {
  docker: Docker;
  connection: EngineConnection;
  images: ImageBuilder;
  volumes: AppVolumes;
  /** What the engine can give a container, asked once. */
  limits?: Promise<{ cpus: number; memory: number }>;
  /** Its name, version and where it is, asked once while it answers. */
  identity?: Promise<EngineIdentity>;
}

/**
 * Who a call container runs as: never root. A server granted host folders runs as the user who
 * runs the hub, so what it writes is theirs; a hub run as root uses the folder's owner instead.
 */
function containerUser(spec: ServerLaunch): string {
  const first = spec.mounts?.[0];
  if (!first) return user;
  const uid = process.getuid?.() ?? 0;
  if (uid > 0) return `${uid}:${process.getgid?.() ?? uid}`;
  const owner = statSync(first.host_path, { throwIfNoEntry: false });
  return owner && owner.uid > 0 ? `${owner.uid}:${owner.gid}` : user;
}

/**
 * Everything a process prints on stdout until it exits, as text: at most 96 MiB (a compile cache of
 * 64 MiB in base64) and `timeoutMs`, else an error.
 */
async function readToEnd(proc: SandboxProcess, timeoutMs: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  let timer: NodeJS.Timeout | undefined;
  const read = new Promise<string>((resolve, reject) => {
    proc.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > 96 * 1024 * 1024) reject(new AppError('sandbox', 'the compile-cache warm-up printed more than 96 MiB'));
      else chunks.push(chunk);
    });
    proc.stdout.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    proc.stdout.on('error', reject);
  });
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AppError('sandbox', `the compile-cache warm-up did not end within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    return await Promise.race([read, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Podman runs `--init` with catatonit, which Debian's podman only recommends. */
function initHint(error: unknown): string {
  return /container-init binary not found/.test(messageOf(error))
    ? ' (the engine has no init binary for --init: on Podman, install catatonit, or set init_path in containers.conf)'
    : '';
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms))),
  ]);
}
