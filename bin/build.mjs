// Bundles what `bin/procdock` runs first: the CLI's entry and the modules every command loads
// (commander included) in one file, and the catalog reader of the list commands in another, so
// that `procdock --help`, `apps`, `servers` and `calls` load a few files instead of dozens. Every
// other module a command imports when it runs (the hub, serve, doctor, the agent loop) stays as
// tsc wrote it in dist/, loaded from the bundle by the same relative path.
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist/cli');
const bundled = new Set([join(cli, 'catalog-reader.js')]);
// One AppError class for the bundle and the modules it loads from dist/: errors are told apart by it.
const shared = new Set([join(root, 'dist/shared/errors.js')]);

await build({
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
