import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/*
 * Three projects in one pool: Vitest 4 runs projects of the same group side by side only when they
 * share one worker limit, so unit files fill the workers while integration files wait on the clock.
 * That limit is the core count: integration tests stream audio in real time and judge latency, and
 * more processes than cores make them flaky; what they would gain from more processes they gain from
 * running their independent tests concurrently within a file instead.
 */
const cores = availableParallelism();

export default defineConfig({
  test: {
    maxWorkers: cores,
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
