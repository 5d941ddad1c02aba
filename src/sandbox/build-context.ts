import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import { AppError } from '../shared/errors.js';
import { hasExclusions, isIgnored, parseDockerignore } from './dockerignore.js';

/** The language an app is built for, from the files at its root. */
export type Language = 'node' | 'python' | 'ruby' | 'go';

export interface AppFile {
  path: string;
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  size: number;
  /** A symlink's target, as it is (sent as a link, like `docker build` does). */
  link?: string;
}

/** What a generated build never sends: VCS data, installed dependencies (the build installs them), caches. */
const generatedIgnores = ['.git', 'node_modules', '.venv', '__pycache__', '.DS_Store'];

export const generatedDockerfileName = '.procdock.Dockerfile';

/** How many entries are matched between two turns of the event loop. */
const entriesPerTurn = 256;

/**
 * Lists what a build sends. An app with its own Dockerfile gets exactly what `docker build .`
 * would send: everything but its `.dockerignore` patterns (the Dockerfile and `.dockerignore`
 * themselves always go). A generated build also leaves out VCS data and installed dependencies.
 */
export async function listAppFiles(root: string, options: { generated?: boolean } = {}): Promise<AppFile[]> {
  const text = await readFile(join(root, '.dockerignore'), 'utf8').catch(() => '');
  let patterns;
  try {
    patterns = parseDockerignore(text, join(root, '.dockerignore'));
  } catch (error) {
    throw new AppError('invalid_input', (error as Error).message);
  }
  const canReinclude = hasExclusions(patterns);
  const files: AppFile[] = [];
  let matched = 0;
  const walk = async (dir: string): Promise<void> => {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (++matched % entriesPerTurn === 0) await new Promise((resolve) => setImmediate(resolve));
      const full = join(dir, entry.name);
      const rel = relative(root, full).split(sep).join('/');
      if (options.generated && generatedIgnores.includes(entry.name)) continue;
      const alwaysSent = rel === 'Dockerfile' || rel === '.dockerignore';
      const ignored = !alwaysSent && isIgnored(patterns, rel);
      if (entry.isDirectory()) {
        // An ignored folder is still walked when a `!` pattern may bring back something inside it.
        if (ignored && !canReinclude) continue;
        const info = await lstat(full);
        if (!ignored) files.push({ path: rel, type: 'dir', mode: info.mode & 0o777, size: 0 });
        await walk(full);
      } else if (!ignored && entry.isSymbolicLink()) {
        files.push({ path: rel, type: 'symlink', mode: 0o777, size: 0, link: await readlink(full) });
      } else if (!ignored && entry.isFile()) {
        const info = await lstat(full);
        files.push({ path: rel, type: 'file', mode: info.mode & 0o777, size: info.size });
      }
    }
  };
  await walk(root);
  return files;
}

export function detectLanguage(files: AppFile[]): Language | undefined {
  const has = (name: string) => files.some((f) => f.path === name);
  if (has('package.json')) return 'node';
  if (has('requirements.txt') || has('pyproject.toml')) return 'python';
  if (has('Gemfile')) return 'ruby';
  if (has('go.mod')) return 'go';
  return undefined;
}

/**
 * A Dockerfile for an app without one: its language's base image, dependencies installed at build
 * time, and what they install first on `PATH`, so a Procfile names bin names as it would on Heroku.
 */
export function generateDockerfile(language: Language | undefined, base: string, files: AppFile[]): string {
  const has = (name: string) => files.some((f) => f.path === name);
  const lines = [`FROM ${base}`, 'WORKDIR /app'];
  switch (language) {
    case 'node':
      lines.push('ENV PATH=/app/node_modules/.bin:$PATH');
      lines.push('COPY package*.json ./');
      lines.push(
        has('package-lock.json')
          ? 'RUN npm ci --omit=dev --no-audit --no-fund'
          : 'RUN npm install --omit=dev --no-audit --no-fund',
      );
      break;
    case 'python':
      // pip puts scripts in the base image's bin folder, already on PATH; the app's own bin/ goes first.
      lines.push('ENV PATH=/app/bin:$PATH PYTHONUNBUFFERED=1');
      if (has('requirements.txt')) lines.push('COPY requirements.txt ./', 'RUN pip install --no-cache-dir -r requirements.txt');
      break;
    case 'ruby':
      lines.push('ENV PATH=/app/bin:$PATH');
      lines.push('COPY Gemfile* ./', 'RUN bundle install');
      break;
    case 'go':
      lines.push('ENV PATH=/app/bin:$PATH');
      lines.push('COPY go.* ./', 'RUN go mod download');
      break;
  }
  lines.push('COPY . .');
  if (language === 'python' && !has('requirements.txt')) lines.push('RUN pip install --no-cache-dir .');
  if (language === 'go') lines.push('RUN go build -o /app/bin/ ./...');
  return `${lines.join('\n')}\n`;
}

/** A content hash of the files and the Dockerfile: the same app builds the same tag. */
export async function hashApp(root: string, files: AppFile[], dockerfile: string): Promise<string> {
  const hash = createHash('sha256').update(dockerfile);
  for (const file of files) {
    hash.update(`\0${file.type}\0${file.path}\0${file.mode & 0o111 ? 'x' : '-'}\0${file.link ?? ''}\0`);
    if (file.type === 'file') for await (const chunk of createReadStream(join(root, file.path))) hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

/** The build context as a tar stream: the app's files, plus a generated Dockerfile when given. */
export function contextTar(root: string, files: AppFile[], generated?: string): Readable {
  const tar = pack();
  void (async () => {
    try {
      for (const file of files) {
        if (file.type === 'dir') {
          tar.entry({ name: file.path, type: 'directory', mode: file.mode });
          continue;
        }
        if (file.type === 'symlink') {
          tar.entry({ name: file.path, type: 'symlink', linkname: file.link ?? '', mode: 0o777 });
          continue;
        }
        const entry = tar.entry({ name: file.path, size: file.size, mode: file.mode });
        for await (const chunk of createReadStream(join(root, file.path))) entry.write(chunk);
        await new Promise<void>((resolve, reject) => entry.end((error?: Error | null) => (error ? reject(error) : resolve())));
      }
      if (generated) tar.entry({ name: generatedDockerfileName, mode: 0o644 }, generated);
      tar.finalize();
    } catch (error) {
      tar.destroy(error as Error);
    }
  })();
  // tar-stream speaks streamx; the engine client wants a Node stream.
  return Readable.from(tar as AsyncIterable<Buffer>);
}
