import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['src/**/*.test.ts', 'electron/**/*.test.ts', 'renderer/src/**/*.test.ts'], environment: 'node' } },
      {
        test: {
          name: 'e2e',
          include: ['test/**/*.test.ts'],
          // Removes what the tests' hubs left on the engine once the run ends.
          globalSetup: ['test/global-setup.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // The suites start real servers and containers: keep the 2-core machine from thrashing.
          fileParallelism: false,
        },
      },
    ],
  },
});
