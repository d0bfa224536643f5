import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Native training saturates the 2 cores; files run in parallel forks, tests in a file in order.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
