/**
 * Graceful shutdown: SIGTERM makes a worker stop taking jobs, finish the ones it holds within
 * SHUTDOWN_GRACE_MS and exit 0; nothing it started is left half done. A restarted worker finishes
 * the batch without duplicates. With a grace period too short to drain, the worker still exits 0
 * on time; the jobs it abandoned come back through stalled-job recovery, and still nothing is lost.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fetchResults, startTestSystem, waitForBatch, type TestSystem } from '../../helpers/system.js';
import { FAST_RECOVERY_ENV, audit, expectExactlyOnce, progress, submit, waitForDone, writeImages } from './fleet.js';

const TOTAL = 1_500;

describe('graceful shutdown', () => {
  let system: TestSystem;
  beforeEach(async () => {
    system = await startTestSystem();
  });
  afterEach(async () => {
    await system?.stop();
  });

  it('SIGTERM drains in-flight work within the grace period, exits 0; a new worker completes the batch', { timeout: 90_000 }, async () => {
    const { paths, expected } = await writeImages(system, TOTAL);
    const env = { ...FAST_RECOVERY_ENV, SHUTDOWN_GRACE_MS: '10000' };
    const workers = await Promise.all([system.startWorker({ env }), system.startWorker({ env })]);
    const id = await submit(system, paths);
    await waitForDone(system, id, Math.floor(TOTAL * 0.2));

    const t0 = Date.now();
    const codes = await Promise.all(workers.map((w) => w.stop('SIGTERM')));
    const drainMs = Date.now() - t0;
    expect(codes).toEqual([0, 0]);
    expect(drainMs).toBeLessThan(10_000);
    const midway = (await progress(system, id))!;
    expect(midway.status).not.toBe('completed');
    // Drained: every image a worker had started has its row.
    expect(midway.counts.active).toBe(0);
    expect(await system.api.context.queues.get('colours').getActiveCount()).toBe(0);

    await system.startWorker({ env });
    const view = await waitForBatch(system, id, 60_000);
    expect(view.counts.completed).toBe(TOTAL);
    const result = audit(await fetchResults(system, id), expected);
    expectExactlyOnce(result, TOTAL);
    console.info(
      `[reliability] graceful-shutdown: 2 workers drained and exited 0 in ${drainMs} ms (grace 10000 ms) at done=${midway.counts.completed}; duplicates=${result.duplicates}`,
    );
  });

  it('a grace period too short to drain: exit 0 on time, abandoned jobs recovered, nothing lost', { timeout: 90_000 }, async () => {
    const { paths, expected } = await writeImages(system, TOTAL);
    const worker = await system.startWorker({ env: { ...FAST_RECOVERY_ENV, SHUTDOWN_GRACE_MS: '0' } });
    const id = await submit(system, paths);
    await waitForDone(system, id, Math.floor(TOTAL * 0.2));
    const t0 = Date.now();
    expect(await worker.stop('SIGTERM')).toBe(0);
    const exitMs = Date.now() - t0;
    expect(exitMs).toBeLessThan(5_000);

    await system.startWorker({ env: FAST_RECOVERY_ENV });
    const view = await waitForBatch(system, id, 60_000);
    expect(view.counts.completed).toBe(TOTAL);
    const result = audit(await fetchResults(system, id), expected);
    expectExactlyOnce(result, TOTAL);
    console.info(
      `[reliability] graceful-shutdown: grace 0 -> exited 0 after ${exitMs} ms; abandoned jobs recovered; lost=${result.lost} duplicates=${result.duplicates}`,
    );
  });
});
