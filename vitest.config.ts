import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests stream audio in real time and mostly wait on the clock, not the CPU: run more
    // files at once than there are cores. Tests within a file run in order.
    fileParallelism: true,
    maxWorkers: 5,
    reporters: ['default'],
  },
});
