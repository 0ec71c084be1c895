/**
 * Entry of a queue-only worker process (the cluster benchmark spawns it): MODEL and the usual
 * worker environment (REDIS_URL or REDIS_CLUSTER_NODES, QUEUE_SHARDS, HOURGLASS_PREFIX, BATCH_SIZE).
 * Tells its parent over IPC once every shard's Worker is connected; SIGTERM closes it.
 */
import { createLogger, describeError, loadWorkerConfig } from '@hourglass/core';
import { startQueueOnlyWorker } from './queue-only.js';

const log = createLogger('queue-only-worker');

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  if (!config.MODEL) throw new Error('MODEL is required');
  const worker = await startQueueOnlyWorker(config, config.MODEL, log);
  process.send?.({ type: 'ready', queues: worker.queues, pid: process.pid });
  const stop = (): void => {
    void worker.stop().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  log.fatal({ err: describeError(error) }, 'queue-only worker failed to start');
  process.exit(1);
});
