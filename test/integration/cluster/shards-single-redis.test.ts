/**
 * QUEUE_SHARDS=2 on a single Redis (no cluster): shard 0 is the unsharded queue classify-<model>,
 * shard 1 is classify-<model>~1, the batch's jobs go to both, one worker consumes both, and every
 * image is stored exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchResults, startTestSystem, waitForBatch, type TestSystem } from '../../helpers/system.js';
import { audit, expectExactlyOnce, submit, writeImages } from '../reliability/fleet.js';

describe('queue shards on a single Redis', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem({ sharedEnv: { QUEUE_SHARDS: '2' } });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('spreads a batch over classify-colours and classify-colours~1; one worker drains both', { timeout: 90_000 }, async () => {
    const queues = system.api.context.queues.get('colours');
    expect(queues.names).toEqual(['classify-colours', 'classify-colours~1']);
    const { paths, expected } = await writeImages(system, 60);
    const id = await submit(system, paths);
    // Counted before a worker starts (workers remove a classify job as it completes): job n is on
    // shard n mod 2, whatever size the API chose for the jobs.
    const { chunkSize } = (await (await system.request(`/v1/batches/${id}`)).json()) as { chunkSize: number };
    const jobs = Math.ceil(60 / chunkSize);
    expect(jobs).toBeGreaterThan(1);
    expect(await Promise.all(queues.shards.map(async (q) => (await q.getJobCounts('wait')).wait))).toEqual([Math.ceil(jobs / 2), Math.floor(jobs / 2)]);
    await system.startWorker();
    await waitForBatch(system, id, 80_000);
    expectExactlyOnce(audit(await fetchResults(system, id), expected), 60);
  });
});
