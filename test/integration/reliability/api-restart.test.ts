/**
 * API restart mid-batch: the API holds no batch state of its own (everything is in Redis), so
 * closing it and building a new one on the same Redis changes nothing for the workers. The batch
 * keeps going while the API is down and is fully queryable, results included, from the new API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchResults, startTestSystem, waitForBatch, type TestSystem } from '../../helpers/system.js';
import { FAST_RECOVERY_ENV, audit, expectExactlyOnce, progress, sleep, submit, waitForDone, writeImages } from './fleet.js';

const TOTAL = 1_500;

describe('API restart during a batch', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem();
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('the batch continues while the API is away and is queryable from the new one', { timeout: 90_000 }, async () => {
    const { paths, expected } = await writeImages(system, TOTAL);
    await Promise.all([system.startWorker({ env: FAST_RECOVERY_ENV }), system.startWorker({ env: FAST_RECOVERY_ENV })]);
    const id = await submit(system, paths);
    const before = await waitForDone(system, id, Math.floor(TOTAL * 0.25));

    const restartedAt = Date.now();
    await system.restartApi();
    // A restarted process would also take a moment to come up: workers do not care.
    await sleep(500);
    const after = await progress(system, id);
    expect(after).toBeDefined();
    expect(after!.total).toBe(TOTAL);
    expect(after!.counts.completed + after!.counts.failed).toBeGreaterThan(before.counts.completed + before.counts.failed);

    const view = await waitForBatch(system, id, 60_000);
    expect(view.counts.completed).toBe(TOTAL);
    const result = audit(await fetchResults(system, id), expected);
    expectExactlyOnce(result, TOTAL);
    // The new API accepts new work on the same queue, and lists the old batch.
    const second = await submit(system, paths.slice(0, 30));
    expect((await waitForBatch(system, second, 30_000)).counts.completed).toBe(30);
    const list = (await (await system.request('/v1/batches')).json()) as { batches: Array<{ id: string }> };
    expect(list.batches.map((b) => b.id)).toEqual(expect.arrayContaining([id, second]));
    console.info(
      `[reliability] api-restart: restarted at done=${before.counts.completed}, ${after!.counts.completed - before.counts.completed} images finished meanwhile (${Date.now() - restartedAt} ms later all ${TOTAL} done); lost=${result.lost} duplicates=${result.duplicates}`,
    );
  });
});
