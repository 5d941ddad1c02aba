import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig, type UserConfig } from 'vite';

/** The web UI build, shared by `procdock serve` (out/renderer) and the desktop window. */
export function webUiConfig(rendererDir: string): UserConfig {
  return {
    root: rendererDir,
    base: './',
    plugins: [react()],
    build: {
      minify: true,
      // One local bundle, loaded from disk or loopback: splitting it would buy nothing.
      chunkSizeWarningLimit: 2000,
      outDir: resolve(rendererDir, '../out/renderer'),
      emptyOutDir: true,
      rollupOptions: { input: resolve(rendererDir, 'index.html') },
    },
  };
}

export default defineConfig(webUiConfig(import.meta.dirname));
