import { defineConfig } from 'vitest/config';

/**
 * Two projects: fast unit tests beside the code (parallel), and integration tests that drive real
 * servers and brokers (one file at a time: some restart RabbitMQ, Mosquitto or Swift on purpose).
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'examples/**/*.test.ts'],
          testTimeout: 30_000,
          pool: 'forks',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          pool: 'forks',
          fileParallelism: false,
        },
      },
    ],
  },
});
