/**
 * apps/worker/src/failed-for-good.ts: a real BullMQ queue and worker on the test Redis. Only a job
 * with no attempt left is recorded, once; a retried job is not; a record that throws is logged,
 * never thrown into BullMQ's event emitter.
 */
import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { onJobFailedForGood } from '../../../apps/worker/src/failed-for-good.js';
import { testRedis, uniquePrefix } from '../../helpers/redis.js';

interface Data {
  name: string;
  /** Attempts that throw before one succeeds; unset: every attempt throws. */
  failFirst?: number;
}

const QUEUE = 'ffg';
// Retries wait this long, so the 'failed' event of a retried attempt is checked while the job is
// still delayed (an immediate retry could already have failed again by then).
const RETRY_DELAY_MS = 300;

let cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of cleanup.reverse()) await close();
  cleanup = [];
});

/** A queue and a worker whose every failure (or the first `failFirst`) comes from the processor. */
function start(record: (job: Job<Data>, error: Error) => Promise<void>) {
  const prefix = uniquePrefix('ffg');
  const connections: Redis[] = [testRedis(), testRedis()];
  const logs: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'error' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const queue = new Queue<Data>(QUEUE, { connection: connections[0]!, prefix });
  const worker = new Worker<Data>(
    QUEUE,
    async (job) => {
      if (job.data.failFirst === undefined || job.attemptsMade < job.data.failFirst)
        throw new Error(`attempt ${job.attemptsMade + 1} of ${job.data.name} broke`);
    },
    { connection: connections[1]!, prefix },
  );
  onJobFailedForGood(worker, { log, what: 'thing', identify: (job) => ({ thing: job.data.name }), record });
  cleanup.push(
    () => worker.close(true),
    () => queue.close(),
    ...connections.map((c) => () => c.quit()),
  );
  const add = (data: Data) => queue.add('t', data, { attempts: 2, backoff: { type: 'fixed', delay: RETRY_DELAY_MS } });
  return { worker, logs, add };
}

const until = async (check: () => boolean, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('onJobFailedForGood', () => {
  it('records a job once, after its last attempt, and logs it', async () => {
    const recorded: Array<{ name: string; attempts: number; message: string }> = [];
    const { logs, add } = start(async (job, error) => {
      recorded.push({ name: job.data.name, attempts: job.attemptsMade, message: error.message });
    });
    await add({ name: 'doomed' });
    await until(() => recorded.length > 0);
    // Long enough for a second (wrong) record to show up.
    await new Promise((r) => setTimeout(r, RETRY_DELAY_MS));
    expect(recorded).toEqual([{ name: 'doomed', attempts: 2, message: 'attempt 2 of doomed broke' }]);
    expect(logs.map((l) => [l.msg, l.thing, l.attempts, l.err])).toEqual([['thing failed for good', 'doomed', 2, 'attempt 2 of doomed broke']]);
  });

  it('does not record a job that failed once and succeeded on its retry', async () => {
    const recorded: string[] = [];
    const { worker, logs, add } = start(async (job) => {
      recorded.push(job.data.name);
    });
    const completed = new Promise<void>((resolve) => worker.on('completed', () => resolve()));
    let failedEvents = 0;
    worker.on('failed', () => failedEvents++);
    await add({ name: 'flaky', failFirst: 1 });
    await completed;
    await new Promise((r) => setTimeout(r, 100));
    expect(failedEvents).toBe(1);
    expect(recorded).toEqual([]);
    expect(logs).toEqual([]);
  });

  it('logs a record that throws instead of letting it escape', async () => {
    const { logs, add } = start(async () => {
      throw new Error('redis went away');
    });
    await add({ name: 'unrecordable' });
    await until(() => logs.length >= 2);
    expect(logs.map((l) => l.msg)).toEqual(['thing failed for good', 'could not record a failed thing']);
    expect(logs[1]).toMatchObject({ thing: 'unrecordable', err: expect.stringContaining('redis went away') });
  });
});
