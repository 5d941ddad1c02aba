import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';

/** The language an app is built for, from the files at its root. */
export type Language = 'node' | 'python' | 'ruby' | 'go';

export interface AppFile {
  path: string;
  mode: number;
  size: number;
}

/** Never sent to the engine: VCS data, installed dependencies (the build installs them), caches. */
const alwaysIgnored = ['.git', 'node_modules', '.venv', '__pycache__', '.DS_Store'];

export const generatedDockerfileName = '.procdock.Dockerfile';

/** Lists the files a build sees: everything but the ignored names and `.dockerignore` patterns. */
export async function listAppFiles(root: string): Promise<AppFile[]> {
  const ignore = await dockerignore(root);
  const files: AppFile[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = join(dir, entry.name);
      const rel = relative(root, full).split(sep).join('/');
      if (alwaysIgnored.includes(entry.name) || ignore.some((pattern) => pattern.test(rel))) continue;
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) {
        const info = await lstat(full);
        files.push({ path: rel, mode: info.mode & 0o777, size: info.size });
      }
    }
  };
  await walk(root);
  return files;
}

async function dockerignore(root: string): Promise<RegExp[]> {
  const text = await readFile(join(root, '.dockerignore'), 'utf8').catch(() => '');
  return text
    .split(/\r?\n/)
    .map((line) => line.trim().replace(/^\/+|\/+$/g, ''))
    .filter((line) => line && !line.startsWith('#') && !line.startsWith('!'))
    .map((pattern) => {
      const body = pattern
        .split('**')
        .map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]'))
        .join('.*');
      return new RegExp(`^${body}(/.*)?$`);
    });
}

export function detectLanguage(files: AppFile[]): Language | undefined {
  const has = (name: string) => files.some((f) => f.path === name);
  if (has('package.json')) return 'node';
  if (has('requirements.txt') || has('pyproject.toml')) return 'python';
  if (has('Gemfile')) return 'ruby';
  if (has('go.mod')) return 'go';
  return undefined;
}

/** A Dockerfile for an app without one: its language's base image, dependencies installed at build time. */
export function generateDockerfile(language: Language | undefined, base: string, files: AppFile[]): string {
  const has = (name: string) => files.some((f) => f.path === name);
  const lines = [`FROM ${base}`, 'WORKDIR /app'];
  switch (language) {
    case 'node':
      lines.push('COPY package*.json ./');
      lines.push(
        has('package-lock.json')
          ? 'RUN npm ci --omit=dev --no-audit --no-fund'
          : 'RUN npm install --omit=dev --no-audit --no-fund',
      );
      break;
    case 'python':
      if (has('requirements.txt')) lines.push('COPY requirements.txt ./', 'RUN pip install --no-cache-dir -r requirements.txt');
      break;
    case 'ruby':
      lines.push('COPY Gemfile* ./', 'RUN bundle install');
      break;
    case 'go':
      lines.push('COPY go.* ./', 'RUN go mod download');
      break;
  }
  lines.push('COPY . .');
  if (language === 'python' && !has('requirements.txt')) lines.push('RUN pip install --no-cache-dir .');
  if (language === 'go') lines.push('RUN go build ./...');
  return `${lines.join('\n')}\n`;
}

/** A content hash of the files and the Dockerfile: the same app builds the same tag. */
export async function hashApp(root: string, files: AppFile[], dockerfile: string): Promise<string> {
  const hash = createHash('sha256').update(dockerfile);
  for (const file of files) {
    hash.update(`\0${file.path}\0${file.mode & 0o111 ? 'x' : '-'}\0`);
    for await (const chunk of createReadStream(join(root, file.path))) hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

/** The build context as a tar stream: the app's files, plus a generated Dockerfile when given. */
export function contextTar(root: string, files: AppFile[], generated?: string): Readable {
  const tar = pack();
  void (async () => {
    try {
      for (const file of files) {
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
