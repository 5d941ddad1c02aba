import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { webUiConfig } from './renderer/vite.config';

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      lib: { entry: resolve(__dirname, 'electron/main.ts') },
      rollupOptions: { external: ['better-sqlite3', 'dockerode', 'pino', 'express'] },
    },
  },
  preload: {
    // A sandboxed preload must be CommonJS.
    build: {
      outDir: 'out/preload',
      lib: { entry: resolve(__dirname, 'electron/preload.ts') },
      rollupOptions: { output: { format: 'cjs', entryFileNames: 'index.cjs' } },
    },
  },
  renderer: webUiConfig(resolve(__dirname, 'renderer')),
});
