// Bundles what `bin/procdock` runs first: the CLI's entry and the modules every command loads
// (commander included) in one file, and the catalog reader of the list commands in another, so
// that `procdock --help`, `apps`, `servers` and `calls` load a few files instead of dozens. Every
// other module a command imports when it runs (the hub, serve, doctor, the agent loop) stays as
// tsc wrote it in dist/, loaded from the bundle by the same relative path.
import { Buffer } from 'node:buffer';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist/cli');
const bundled = new Set([join(cli, 'catalog-reader.js')]);
// One AppError class for the bundle and the modules it loads from dist/: errors are told apart by it.
const shared = new Set([join(root, 'dist/shared/errors.js')]);

/**
 * node:crypto, loaded on first use: the list commands only read, and loading it (with node:stream)
 * cost 7 ms of their start-up. A function the bundle imports that is not named here fails the build.
 */
const lazyCryptoNames = ['createCipheriv', 'createDecipheriv', 'createHash', 'randomBytes', 'randomUUID', 'timingSafeEqual'];
const lazyCryptoSource = `let crypto;\nconst load = () => (crypto ??= process.getBuiltinModule('node:crypto'));\n${lazyCryptoNames.map((n) => `export const ${n} = (...args) => load().${n}(...args);`).join('\n')}\n`;

await build({
  // `fast`: --help and the list commands, without commander; `procdock`: the whole CLI.
  input: { procdock: join(cli, 'main.js') },
  platform: 'node',
  external: (id, _importer, resolved) => id.startsWith('node:') || id === 'better-sqlite3' || (resolved && shared.has(id)),
  plugins: [
    {
      name: 'dynamic-imports-stay-in-dist',
      async resolveDynamicImport(specifier, importer) {
        if (typeof specifier !== 'string' || !importer) return null;
        const resolved = await this.resolve(specifier, importer);
        if (!resolved || bundled.has(resolved.id)) return null;
        return { id: `./${relative(cli, resolved.id)}`, external: true };
      },
    },
  ],
  // zod's builders have no side effects: the catalog reader needs the settings' defaults, not their schema.
  treeshake: { manualPureFunctions: ['z'] },
  output: { dir: cli, format: 'esm', entryFileNames: '[name].js', chunkFileNames: 'procdock-[name].js' },
  logLevel: 'warn',
});

// The fast path (`bin/procdock` requires it): --help and the list commands in one CommonJS file,
// so they start without Node's ESM loader and its builtin facades (node:fs alone costs 5 ms there).
// Everything it reaches is in it or its chunks; the hub, which it never loads, stays in dist/.
await build({
  input: join(cli, 'fast.js'),
  platform: 'node',
  external: (id) => (id.startsWith('node:') && id !== 'node:crypto') || id === 'better-sqlite3',
  plugins: [
    lazyCrypto(),
    {
      name: 'the-hub-stays-in-dist',
      async resolveDynamicImport(specifier, importer) {
        if (typeof specifier !== 'string' || !importer) return null;
        const resolved = await this.resolve(specifier, importer);
        if (!resolved || bundled.has(resolved.id) || resolved.id === join(cli, 'hub-client.js')) return null;
        return { id: `./${relative(cli, resolved.id)}`, external: true };
      },
    },
  ],
  treeshake: { manualPureFunctions: ['z'] },
  // The catalog reader (better-sqlite3) and the hub client (node:http) load only for the commands that use them.
  output: { dir: cli, format: 'cjs', entryFileNames: 'fast.cjs', chunkFileNames: 'fast-[name].cjs' },
  logLevel: 'warn',
});

function lazyCrypto() {
  const id = '\0lazy-crypto';
  return {
    name: 'lazy-crypto',
    resolveId: (source) => (source === 'node:crypto' ? id : null),
    load: (source) => (source === id ? lazyCryptoSource : null),
  };
}

/**
 * The list commands never call node:crypto, so no test would see a broken wrapper: each one is
 * called here, and the fast bundle must reach the module only through it.
 */
async function checkLazyCrypto() {
  const lazy = await import(`data:text/javascript,${encodeURIComponent(lazyCryptoSource)}`);
  const key = lazy.randomBytes(32);
  const iv = lazy.randomBytes(12);
  const cipher = lazy.createCipheriv('aes-256-gcm', key, iv);
  const sealed = Buffer.concat([cipher.update('procdock'), cipher.final()]);
  const decipher = lazy.createDecipheriv('aes-256-gcm', key, iv).setAuthTag(cipher.getAuthTag());
  const works =
    Buffer.concat([decipher.update(sealed), decipher.final()]).toString() === 'procdock' &&
    lazy.createHash('sha256').update('').digest('hex').startsWith('e3b0c442') &&
    /^[0-9a-f-]{36}$/.test(lazy.randomUUID()) &&
    lazy.timingSafeEqual(Buffer.from('a'), Buffer.from('a'));
  if (!works) throw new Error('the lazy node:crypto wrappers of the fast bundle do not work');
  const files = readdirSync(cli).filter((f) => /^fast.*\.cjs$/.test(f));
  const source = files.map((f) => readFileSync(join(cli, f), 'utf8')).join('\n');
  if (/require\(["']node:crypto["']\)/.test(source) || !source.includes('process.getBuiltinModule("node:crypto")')) {
    throw new Error(`the fast bundle (${files.join(', ')}) does not load node:crypto through its lazy wrappers`);
  }
}
await checkLazyCrypto();

// The fast path prints this for `procdock --help`: the full program's own help, at 80 columns
// (commander's width when it does not write to a terminal).
const { buildProgram } = await import(join(cli, 'procdock.js'));
const program = buildProgram();
program.configureOutput({ getOutHelpWidth: () => 80 });
writeFileSync(join(cli, 'help.txt'), program.helpInformation());
