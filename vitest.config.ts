import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    // Integration tests start real processes (redis-server, workers): give them room, and do not
    // run more files at once than this 2-core machine can serve.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
    minWorkers: 1,
    // onnxruntime's telemetry opt-out (packages/core/src/ort-telemetry.ts) for the sessions tests
    // open in-process; spawned workers get it from spawnWorker.
    env: { ORT_DISABLE_TELEMETRY: '1', ORT_TELEMETRY_DISABLED: '1' },
  },
});
