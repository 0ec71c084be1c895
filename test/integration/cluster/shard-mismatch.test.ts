/**
 * The API and the workers must agree on QUEUE_SHARDS: an API with 2 shards and a fleet whose only
 * live worker consumes 1 would leave every job on shard 1 waiting forever. The submit is refused
 * with 503 QUEUE_LAYOUT_MISMATCH (naming the shard nobody drains) and nothing is enqueued; once a
 * worker with the API's layout is live, the same submit is accepted and completes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchResults, startTestSystem, waitForBatch, type TestSystem } from '../../helpers/system.js';
import { audit, expectExactlyOnce, writeImages } from '../reliability/fleet.js';

describe('QUEUE_SHARDS that differ between the API and the workers', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem({ apiEnv: { QUEUE_SHARDS: '2' } });
  });
  afterAll(async () => {
    await system?.stop();
  });

  const submit = (paths: string[]): Promise<Response> =>
    system.request('/v1/batches', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'colours', chunkSize: 4, images: paths.map((p) => ({ path: p })) }),
    });
  const liveWorkers = async (): Promise<number> => ((await (await system.request('/v1/models/colours')).json()) as { workers: unknown[] }).workers.length;

  it('are refused at submit while no live worker drains every shard, and accepted once one does', { timeout: 120_000 }, async () => {
    const { paths, expected } = await writeImages(system, 24);
    const queues = system.api.context.queues.get('colours');
    // No worker at all: a queue may be filled before its fleet starts.
    const early = await submit(paths);
    expect(early.status).toBe(202);
    const earlyId = ((await early.json()) as { id: string }).id;

    const oneShard = await system.startWorker({ env: { QUEUE_SHARDS: '1' } });
    await expect.poll(liveWorkers, { timeout: 20_000 }).toBe(1);
    const before = await queues.getJobCounts('wait', 'active', 'completed');
    const refused = await submit(paths);
    expect(refused.status).toBe(503);
    const { error } = (await refused.json()) as { error: { code: string; message: string; orphaned: string[] } };
    expect(error.code).toBe('QUEUE_LAYOUT_MISMATCH');
    expect(error.orphaned).toEqual(['classify-colours~1']);
    expect(error.message).toMatch(/same QUEUE_SHARDS/);
    // The refused submit made no batch and added no job (the one-shard worker only takes some away).
    const listed = (await (await system.request('/v1/batches')).json()) as { batches: Array<{ id: string }> };
    expect(listed.batches.map((b) => b.id)).toEqual([earlyId]);
    const after = await queues.getJobCounts('wait', 'active', 'completed');
    expect(after.wait! + after.active! + after.completed!).toBeLessThanOrEqual(before.wait! + before.active! + before.completed!);

    // A worker with the API's layout joins: one covering worker is enough.
    await system.startWorker({ env: { QUEUE_SHARDS: '2' } });
    await expect.poll(liveWorkers, { timeout: 20_000 }).toBe(2);
    const accepted = await submit(paths);
    expect(accepted.status).toBe(202);
    const id = ((await accepted.json()) as { id: string }).id;
    await waitForBatch(system, id, 80_000);
    expectExactlyOnce(audit(await fetchResults(system, id), expected), 24);
    await waitForBatch(system, earlyId, 80_000);
    await oneShard.stop();
  });
});
