/**
 * Horizontal scale and shutdown with real worker processes: two workers share one queue and every
 * image is done exactly once; a worker stopped with SIGTERM mid-batch drains and exits 0, and a
 * restarted worker finishes the batch without duplicates.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { submit, writeImages } from '../../helpers/colour-batch.js';
import { fetchResults, startTestSystem, waitForBatch, type TestSystem } from '../../helpers/system.js';

// Larger than the fault tests' images: each decode takes long enough that SIGTERM finds work in flight.
const writeLargeImages = async (system: TestSystem, count: number): Promise<string[]> => (await writeImages(system, count, { width: 200, height: 150 })).paths;

describe('worker processes', () => {
  let system: TestSystem;
  beforeEach(async () => {
    system = await startTestSystem();
  });
  afterEach(async () => {
    await system?.stop();
  });

  it('two workers share one queue; every image is done exactly once', async () => {
    const paths = await writeLargeImages(system, 600);
    const [a, b] = await Promise.all([system.startWorker({ env: { WORKERS_PER_HOST: '2' } }), system.startWorker({ env: { WORKERS_PER_HOST: '2' } })]);
    const id = await submit(system, paths);
    const view = await waitForBatch(system, id, 120_000);
    expect(view.counts).toEqual({ queued: 0, active: 0, completed: 600, failed: 0 });
    const rows = await fetchResults(system, id);
    expect(new Set(rows.map((r) => r.index)).size).toBe(600);
    expect(rows).toHaveLength(600);
    const byWorker = new Map<string, number>();
    for (const row of rows) byWorker.set(row.worker, (byWorker.get(row.worker) ?? 0) + 1);
    // Both processes took part (ids are <host>-<pid>-<rand>).
    const pids = [a.child.pid, b.child.pid].map(String);
    expect([...byWorker.keys()].map((w) => w.split('-').at(-2)).sort()).toEqual(pids.sort());
  });

  it('SIGTERM mid-batch drains and exits 0; a restarted worker completes the batch, no duplicates', async () => {
    const paths = await writeLargeImages(system, 1500);
    const first = await system.startWorker({ env: { SHUTDOWN_GRACE_MS: '10000' } });
    const id = await submit(system, paths);
    // Wait until the worker is well into the batch, then ask it to stop.
    for (;;) {
      const view = (await (await system.request(`/v1/batches/${id}`)).json()) as { counts: { completed: number } };
      if (view.counts.completed >= 100) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await first.stop('SIGTERM')).toBe(0);
    const midway = (await (await system.request(`/v1/batches/${id}`)).json()) as { status: string; counts: { completed: number; active: number } };
    expect(midway.status).not.toBe('completed');
    // Drained: nothing it had started is left half-done.
    expect(midway.counts.active).toBe(0);

    await system.startWorker();
    const view = await waitForBatch(system, id, 120_000);
    expect(view.counts.completed).toBe(1500);
    const rows = await fetchResults(system, id);
    expect(rows).toHaveLength(1500);
    expect(new Set(rows.map((r) => r.index)).size).toBe(1500);
  });
});
