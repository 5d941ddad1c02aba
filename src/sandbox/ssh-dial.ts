import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { Agent } from 'node:http';
import { Duplex } from 'node:stream';

/** How much of ssh's own complaints is kept for the error that names them. */
const stderrLimit = 2048;

/**
 * The ssh command the Docker CLI runs for `ssh://[user@]host[:port][/socket]`: the user's own ssh,
 * with their ~/.ssh/config, keys, agent and known_hosts, running `docker system dial-stdio` there.
 * BatchMode: a hub has no terminal to ask a password or a new host key on; it fails instead.
 */
export function sshDialCommand(host: string): string[] {
  const url = new URL(host);
  const remote = [
    'docker',
    ...(url.pathname && url.pathname !== '/' ? ['--host', `unix://${url.pathname}`] : []),
    'system',
    'dial-stdio',
  ];
  return [
    '-o',
    'ConnectTimeout=30',
    '-o',
    'BatchMode=yes',
    '-T',
    ...(url.username ? ['-l', decodeURIComponent(url.username)] : []),
    ...(url.port ? ['-p', url.port] : []),
    '--',
    url.hostname,
    ...remote,
  ];
}

/**
 * An HTTP agent whose every connection is one `ssh … docker system dial-stdio`: requests reuse idle
 * connections; an attach keeps its own until the container ends. `destroy()` ends every ssh.
 */
export class SshDialAgent extends Agent {
  constructor(private readonly host: string) {
    super({ keepAlive: true });
  }

  override createConnection(): Duplex {
    return new SshSocket(this.host, spawn('ssh', sshDialCommand(this.host), { stdio: 'pipe' }));
  }
}

/** One ssh child as the socket Node's HTTP client reads and writes. */
class SshSocket extends Duplex {
  timeout = 0;
  private stderr = '';
  private answered = false;

  constructor(
    private readonly host: string,
    private readonly child: ChildProcessWithoutNullStreams,
  ) {
    super({ allowHalfOpen: true });
    child.stdout.on('data', (chunk: Buffer) => {
      this.answered = true;
      if (!this.push(chunk)) child.stdout.pause();
    });
    child.stdout.on('end', () => {
      if (this.answered) this.push(null);
    });
    child.stderr.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-stderrLimit)));
    child.stdin.on('error', () => undefined);
    child.on('error', (error) => this.destroy(this.failure(error.message)));
    // 'close' comes after ssh's last words on stderr. An ssh that ends before the engine said a word
    // failed to get there: the error says what ssh said, not that the socket hung up.
    child.on('close', (code) => {
      if (this.answered) return;
      if (code === 0) this.push(null);
      else this.destroy(this.failure(`ssh exited with code ${code}`));
    });
  }

  private failure(fallback: string): Error {
    const said = this.stderr.trim().split('\n').filter(Boolean).at(-1);
    return Object.assign(new Error(`ssh to ${this.host}: ${said ?? fallback}`), { code: 'ESSH' });
  }

  override _read(): void {
    this.child.stdout.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.child.stdin.write(chunk, done);
  }

  override _final(done: (error?: Error | null) => void): void {
    this.child.stdin.end(done);
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    if (this.child.exitCode === null) this.child.kill();
    done(error);
  }

  // What Node's HTTP agent asks of a socket it keeps alive.
  setKeepAlive(): this {
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  setTimeout(ms: number): this {
    this.timeout = ms;
    return this;
  }

  /** An idle kept-alive connection must not hold the hub's process open. */
  ref(): this {
    for (const handle of this.handles()) handle.ref();
    return this;
  }

  unref(): this {
    for (const handle of this.handles()) handle.unref();
    return this;
  }

  private handles(): { ref(): void; unref(): void }[] {
    // The child's pipes are sockets: they hold the event loop too.
    const pipes = [this.child.stdin, this.child.stdout, this.child.stderr] as unknown as {
      ref(): void;
      unref(): void;
    }[];
    return [this.child, ...pipes];
  }
}
