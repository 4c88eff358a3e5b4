import { defineConfig } from 'vitest/config';

// Three projects: fast in-memory unit tests, the lab suites that need the real Samba AD DC
// (started once per run by the lab's globalSetup and always torn down), and the browser suite that
// opens the HTML report in headless Chromium (installed by its globalSetup when missing).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'lab',
          include: ['test/lab/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/lab/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/browser/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'redmine',
          include: ['test/redmine/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/redmine/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
