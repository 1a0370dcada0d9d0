import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests stream audio in real time; run files in parallel, tests within a file in order.
    fileParallelism: true,
    reporters: ['default'],
  },
});
