/**
 * packages/core/src/retry-policy.ts: every error code says explicitly whether a retry can fix it,
 * and a job processor's rethrown error steers a real BullMQ worker on the test Redis: a
 * non-retryable failure fails the job on its first attempt, anything else spends its attempts.
 */
import { Queue, QueueEvents, UnrecoverableError, Worker } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError, ERROR_CODES, isNonRetryable, toJobError, type ErrorCode } from '@hourglass/core';
import { NonRetryableJobError, retryCanFix } from '@hourglass/core/testing';
import { testRedis, uniquePrefix } from '../helpers/redis.js';

/** The retry verdict of every code, written out: a new code must be placed here on purpose. */
const retryable: Record<ErrorCode, boolean> = {
  BAD_REQUEST: false,
  VALIDATION_FAILED: false,
  MALFORMED_JSON: false,
  UNSUPPORTED_MEDIA_TYPE: false,
  PAYLOAD_TOO_LARGE: false,
  TOO_MANY_IMAGES: false,
  EMPTY_BATCH: false,
  UNAUTHORIZED: false,
  FORBIDDEN: false,
  CROSS_SITE_REFUSED: false,
  AUTH_RATE_LIMITED: false,
  BODY_EMPTY: false,
  REQUEST_TIMEOUT: false,
  NAME_TAKEN: false,
  JOB_REMOVED: false,
  ARCHIVE_NAME_COLLISION: false,
  ARCHIVE_TOO_LARGE: false,
  ARCHIVE_ENTRY_NOT_IMAGE: false,
  QUEUE_LAYOUT_MISMATCH: false,
  SUBMIT_BUSY: true,
  MODEL_RESOURCE_LIMIT: false,
  PATH_PRIVATE: false,
  NOT_FOUND: false,
  MODEL_NOT_FOUND: false,
  BATCH_NOT_FOUND: false,
  DATASET_NOT_FOUND: false,
  DATASET_INVALID: false,
  TRAIN_JOB_NOT_FOUND: false,
  ARCHIVE_INVALID: false,
  PATH_OUTSIDE_DATA_ROOT: false,
  IMAGE_NOT_FOUND: false,
  IDEMPOTENCY_KEY_INVALID: false,
  IDEMPOTENCY_KEY_REUSED: false,
  QUEUE_FULL: false,
  RATE_LIMITED: false,
  IMAGE_DECODE_FAILED: false,
  IMAGE_TOO_LARGE: false,
  INFERENCE_FAILED: true,
  WORKER_LOST: true,
  MODEL_INVALID: false,
  MANIFEST_INVALID: true,
  MODEL_NOT_ONNX: false,
  MODEL_NO_IMAGE_INPUT: false,
  MODEL_NO_CLASS_OUTPUT: false,
  MODEL_EXTERNAL_DATA_INVALID: false,
  MODEL_RUN_FAILED: false,
  MODEL_BUSY: false,
  CONFIG_INVALID: true,
  REDIS_UNAVAILABLE: true,
  REDIS_MISCONFIGURED: true,
  INTERNAL: true,
};

describe('retry policy', () => {
  it('covers every error code', () => {
    expect(Object.keys(retryable).sort()).toEqual([...ERROR_CODES].sort());
  });

  it.each(Object.entries(retryable) as Array<[ErrorCode, boolean]>)('%s: a retry can fix it = %s', (code, canFix) => {
    expect(retryCanFix(code)).toBe(canFix);
    expect(isNonRetryable(new AppError(code, 'x'))).toBe(!canFix);
  });

  it('retries whatever is not an AppError: a crash or a lost connection may be transient', () => {
    for (const thrown of [new Error('ECONNRESET'), new TypeError('x is undefined'), 'a string', undefined, { code: 'IMAGE_DECODE_FAILED' }]) {
      expect(isNonRetryable(thrown)).toBe(false);
      expect(toJobError(thrown)).toBe(thrown);
    }
  });

  it('turns a non-retryable AppError into an UnrecoverableError that keeps the failure', () => {
    const failure = new AppError('IMAGE_DECODE_FAILED', 'not an image');
    const jobError = toJobError(failure);
    expect(jobError).toBeInstanceOf(NonRetryableJobError);
    expect(jobError).toBeInstanceOf(UnrecoverableError);
    expect((jobError as NonRetryableJobError).failure).toBe(failure);
    expect((jobError as Error).message).toBe('IMAGE_DECODE_FAILED: not an image');
    // Rethrowing twice does not wrap twice.
    expect(toJobError(jobError)).toBe(jobError);
    const transient = new AppError('INFERENCE_FAILED', 'session crashed');
    expect(toJobError(transient)).toBe(transient);
  });
});

describe('toJobError steering a BullMQ worker', () => {
  let cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const close of cleanup.reverse()) await close();
    cleanup = [];
  });

  /** Runs one job with 3 attempts whose every attempt throws toJobError(`code`); returns its attempts. */
  async function attemptsUntilFailed(code: ErrorCode): Promise<{ attempts: number; reason: string }> {
    const prefix = uniquePrefix('retry');
    const connections = [testRedis(), testRedis(), testRedis()];
    const queue = new Queue('steer', { connection: connections[0]!, prefix });
    const events = new QueueEvents('steer', { connection: connections[1]!, prefix });
    const worker = new Worker(
      'steer',
      async () => {
        throw toJobError(new AppError(code, 'broke'));
      },
      { connection: connections[2]!, prefix },
    );
    cleanup.push(
      () => worker.close(true),
      () => events.close(),
      () => queue.close(),
      ...connections.map((c) => () => c.quit()),
    );
    await events.waitUntilReady();
    const job = await queue.add('t', {}, { attempts: 3, backoff: { type: 'fixed', delay: 10 } });
    const failed = new Promise<void>((resolve) => {
      events.on('failed', ({ jobId }) => {
        if (jobId === job.id) resolve();
      });
    });
    // 'failed' fires after every attempt; wait for the job's final state.
    await failed;
    const deadline = Date.now() + 30_000;
    for (;;) {
      const state = await queue.getJobState(job.id!);
      const fresh = await queue.getJob(job.id!);
      if (state === 'failed' && fresh) return { attempts: fresh.attemptsMade, reason: fresh.failedReason };
      if (Date.now() > deadline) throw new Error(`job still ${state}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('fails a non-retryable failure on its first attempt', async () => {
    expect(await attemptsUntilFailed('IMAGE_DECODE_FAILED')).toEqual({ attempts: 1, reason: 'IMAGE_DECODE_FAILED: broke' });
  });

  it('spends every attempt on a retryable failure', async () => {
    expect(await attemptsUntilFailed('INFERENCE_FAILED')).toEqual({ attempts: 3, reason: 'broke' });
  });
});
