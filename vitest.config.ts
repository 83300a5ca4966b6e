import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Tests spawn real servers and CLI processes; two cores, so keep the pool small.
    pool: 'forks',
    maxWorkers: 2,
  },
});
