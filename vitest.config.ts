import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/*
 * Three projects in one pool: Vitest 4 runs projects of the same group side by side only when they
 * share one worker limit, so unit files fill the workers while integration files wait on the clock.
 * Integration tests stream audio in real time: a file spends most of its time waiting, not computing,
 * and with one worker per core the suite took twice as long (255 s -> 500 s on 2 cores) for no fewer
 * failures on a quiet machine. Two workers per core keeps the wall time, and what more concurrency a
 * file can use it gets inside the file (independent suites and tests run concurrently there).
 */
const workers = 2 * availableParallelism();

export default defineConfig({
  test: {
    maxWorkers: workers,
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'] },
      },
      {
        extends: true,
        test: { name: 'integration', include: ['test/integration/**/*.test.ts'] },
      },
      {
        // Drives Chromium itself through playwright-core: Node tests, not Vitest's browser mode.
        extends: true,
        test: { name: 'browser', include: ['test/e2e/**/*.test.ts'] },
      },
    ],
  },
});
