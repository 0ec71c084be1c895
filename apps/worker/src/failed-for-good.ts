/**
 * What a worker process does with a job BullMQ has given up on. BullMQ emits 'failed' after every
 * failed attempt, retried ones included, and fails some jobs itself (stall limit) without our
 * processor seeing the last attempt; only a job still in the 'failed' state afterwards is lost for
 * good. Such a job must leave an outcome its caller can see (failure rows, a train record's error),
 * or the batch or training run it belongs to would wait forever. The classify and train workers
 * differ only in how they name the job and what they record; both pass that in.
 */
import type { Job, Worker } from 'bullmq';
import { describeError, type Logger } from '@hourglass/core';

export interface FailedForGood<D, R> {
  log: Logger;
  /** How log lines name the job: "<what> failed for good", "could not record a failed <what>". */
  what: string;
  /** Fields that identify the job in those log lines (job id, train id). */
  identify: (job: Job<D, R>) => Record<string, unknown>;
  /**
   * Records the failure where the job's caller looks. May run after another worker recorded part
   * of it already, so it must only fill in what is missing.
   */
  record: (job: Job<D, R>, error: Error) => Promise<void>;
}

/** Calls `handler.record` once for every job of `worker` that failed with no attempt left. */
export function onJobFailedForGood<D, R>(worker: Worker<D, R>, handler: FailedForGood<D, R>): void {
  const { log, what, identify, record } = handler;
  worker.on('failed', (job, error) => {
    // Undefined when BullMQ could not load the job (removed meanwhile): nothing left to record.
    if (!job) return;
    void job
      .getState()
      .then(async (state) => {
        if (state !== 'failed') return;
        log.error({ ...identify(job), attempts: job.attemptsMade, err: error.message }, `${what} failed for good`);
        await record(job, error);
      })
      // Never rejects into the event emitter: a Redis outage here must not crash the process.
      .catch((recordError: unknown) => log.error({ ...identify(job), err: describeError(recordError) }, `could not record a failed ${what}`));
  });
}
