// Builds the desktop shell with electron-vite when the electron package is installed. Where its
// binary download failed (no network), npm drops the optional package: skip loudly, except in CI
// (`--optional`, as `npm install` runs it, always skips).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
try {
  require.resolve('electron/package.json');
} catch {
  if (process.env.CI === 'true' && !process.argv.includes('--optional')) {
    console.error('electron is not installed: run ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci');
    process.exit(1);
  }
  console.warn(
    '!!! SKIPPING the desktop build: electron is not installed (where its binary download fails, npm leaves that optional package out). ' +
      'Procdock runs without it, with its UI in your browser. To build the desktop shell anyway: ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm install',
  );
  process.exit(0);
}
const result = spawnSync('npx', ['electron-vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
process.exit(result.status ?? 1);
