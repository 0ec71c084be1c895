/**
 * The life of a worker process, whatever it runs: build the app, tell a parent that spawned it over
 * IPC that it is ready, and on SIGTERM/SIGINT (or the parent going away) drain in-flight jobs
 * within SHUTDOWN_GRACE_MS, then exit.
 */
import { describeError, type Logger, type WorkerConfig } from '@hourglass/core';
import type { WorkerApp } from './app.js';

export async function serveWorker(config: WorkerConfig, log: Logger, build: () => Promise<WorkerApp>): Promise<void> {
  const app = await build();
  // A parent that spawned us with an IPC channel (demo, bench, tests) learns we are ready.
  process.send?.({
    type: 'ready',
    id: app.id,
    model: app.model,
    ep: app.ep,
    batchSize: app.batchSize,
    inferenceSessions: app.inferenceSessions,
    intraOpThreads: app.intraOpThreads,
    inferenceThread: app.inferenceThread,
    httpPort: app.httpPort,
  });
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, graceMs: config.SHUTDOWN_GRACE_MS }, 'shutting down');
    app.stop(config.SHUTDOWN_GRACE_MS).then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: describeError(error) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // Spawned by a parent over IPC (bench, demo, tests): if the parent dies, do not live on as an orphan.
  process.on('disconnect', () => shutdown('parent exited'));
}
