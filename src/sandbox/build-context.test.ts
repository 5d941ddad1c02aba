import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectLanguage, generateDockerfile, hashApp, listAppFiles } from './build-context.js';

const made: string[] = [];
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function app(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'build-context-'));
  made.push(dir);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

const files = (...paths: string[]) => paths.map((path) => ({ path, type: 'file' as const, mode: 0o644, size: 1 }));
const sent = async (dir: string, generated: boolean) =>
  (await listAppFiles(dir, { generated })).filter((f) => f.type !== 'dir').map((f) => f.path);

describe('the build context', () => {
  it('leaves out of a generated build VCS data, installed dependencies and .dockerignore patterns', async () => {
    const dir = app({
      Procfile: 'mcp: node s.js',
      's.js': '',
      '.git/HEAD': 'ref',
      'node_modules/x/index.js': '',
      'secrets/.env': 'TOKEN=1',
      'logs/a.log': '',
      'src/deep/b.log': '',
      '.dockerignore': '# comment\nsecrets\n**/*.log\n',
    });
    expect(await sent(dir, true)).toEqual(['.dockerignore', 'Procfile', 's.js']);
  });

  it('sends an app with its own Dockerfile exactly what docker build . would: only .dockerignore leaves things out', async () => {
    const dir = app({
      Dockerfile: 'FROM x\nCOPY . /app\n',
      Procfile: 'mcp: node s.js',
      'node_modules/x/index.js': 'vendored',
      '.git/HEAD': 'ref',
      'logs/a.log': '',
      'logs/keep.log': '',
      '.dockerignore': 'logs\n!logs/keep.log\nDockerfile\n',
    });
    expect(await sent(dir, false)).toEqual(['.dockerignore', '.git/HEAD', 'Dockerfile', 'Procfile', 'logs/keep.log', 'node_modules/x/index.js']);
  });

  it('refuses a .dockerignore it cannot read, naming the file and line', async () => {
    const dir = app({ Procfile: 'mcp: node s.js', '.dockerignore': 'ok\n[abc\n' });
    await expect(listAppFiles(dir)).rejects.toThrow(/\.dockerignore:2: unterminated character class/);
  });

  it('hashes content: the same files give the same tag, a change gives another', async () => {
    const dir = app({ Procfile: 'mcp: node s.js', 's.js': 'one' });
    const first = await hashApp(dir, await listAppFiles(dir), 'FROM x');
    expect(await hashApp(dir, await listAppFiles(dir), 'FROM x')).toBe(first);
    expect(await hashApp(dir, await listAppFiles(dir), 'FROM y')).not.toBe(first);
    writeFileSync(join(dir, 's.js'), 'two');
    expect(await hashApp(dir, await listAppFiles(dir), 'FROM x')).not.toBe(first);
  });

  it.each([
    [files('package.json', 'package-lock.json'), 'node', ['FROM node-base', 'COPY package*.json ./', 'RUN npm ci --omit=dev --no-audit --no-fund', 'COPY . .']],
    [files('package.json'), 'node', ['ENV PATH=/app/node_modules/.bin:$PATH', 'RUN npm install --omit=dev --no-audit --no-fund']],
    [files('requirements.txt', 'server.py'), 'python', ['FROM python-base', 'COPY requirements.txt ./', 'RUN pip install --no-cache-dir -r requirements.txt']],
    [files('pyproject.toml'), 'python', ['COPY . .', 'RUN pip install --no-cache-dir .']],
    [files('Gemfile', 'Gemfile.lock'), 'ruby', ['COPY Gemfile* ./', 'RUN bundle install']],
    [files('go.mod', 'main.go'), 'go', ['COPY go.* ./', 'RUN go mod download', 'RUN go build -o /app/bin/ ./...']],
  ])('generates a Dockerfile that installs dependencies at build time (%#: %s)', (appFiles, language, lines) => {
    expect(detectLanguage(appFiles)).toBe(language);
    const dockerfile = generateDockerfile(language as 'node', `${language}-base`, appFiles);
    for (const line of lines) expect(dockerfile.split('\n')).toContain(line);
  });

  it('copies an app of no known language onto the node base as it is', () => {
    expect(detectLanguage(files('Procfile', 'server.sh'))).toBeUndefined();
    expect(generateDockerfile(undefined, 'node-base', files('Procfile'))).toBe('FROM node-base\nWORKDIR /app\nCOPY . .\n');
  });
});
