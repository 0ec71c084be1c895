/**
 * Integrity against an admin's mistake on Bull Board: queue jobs of open batches emptied, cleaned,
 * edited to claim another index, and a forged job added. Every batch still completes, each index
 * with exactly one row (auditRows): JOB_REMOVED for the images whose job is gone or was altered,
 * the real result for the rest; no forged row is stored and nothing waits forever.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRows } from '@hourglass/core';
import { TEST_ADMIN_KEY, startTestSystem, waitForBatch, type TestSystem } from '../../helpers/system.js';
import { submit, writeImages } from '../../helpers/colour-batch.js';

describe('queue jobs removed or altered while their batch is open', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem({ apiEnv: { JOB_SWEEP_INTERVAL_MS: '300', RATE_LIMIT_PER_MINUTE: '0' } });
  });
  afterAll(async () => {
    await system?.stop();
  });

  const board = (method: string, route: string, body?: unknown): Promise<Response> =>
    fetch(`${system.baseUrl}/admin/queues/api/queues/classify-colours${route}`, {
      method,
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
    });

  const rowsOf = async (id: string): Promise<Array<Record<string, any>>> =>
    (await (await system.request(`/v1/batches/${id}/results`)).text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));

  it('emptied, cleaned and edited jobs end as JOB_REMOVED rows; the audit holds', async () => {
    const { paths, expected } = await writeImages(system, 9);
    // Batch B: the whole queue emptied before any worker ran.
    const emptied = await submit(system, paths.slice(0, 6), 1);
    expect((await board('PUT', '/empty')).status).toBeLessThan(300);
    // Batch A: one job removed, one edited to claim index 99, and a forged job for index 0.
    const batch = await submit(system, paths, 1);
    expect((await board('PUT', `/${batch}-3/clean`)).status).toBeLessThan(300);
    const edited = await board('PATCH', `/${batch}-5/update-data`, {
      jobData: { batchId: batch, model: 'colours', items: [{ index: 99, path: paths[1] }], enqueuedAt: Date.now() },
    });
    expect(edited.status).toBeLessThan(300);
    const forged = await board('POST', '/add', {
      name: 'classify',
      data: { batchId: batch, model: 'colours', items: [{ index: 0, path: paths[1] }], enqueuedAt: Date.now() },
    });
    expect(forged.status).toBeLessThan(300);

    await system.startWorker();
    const viewA = await waitForBatch(system, batch, 90_000);
    const viewB = await waitForBatch(system, emptied, 90_000);
    expect(viewA.status).toBe('completed');
    expect(viewB.status).toBe('completed');

    const rowsB = await rowsOf(emptied);
    expect(rowsB.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(rowsB.every((r) => r.error?.code === 'JOB_REMOVED')).toBe(true);

    const rowsA = await rowsOf(batch);
    const audit = auditRows(rowsA as any, expected);
    expect(audit).toMatchObject({ total: 9, rows: 9, distinct: 9, lost: 0, duplicates: 0, failed: 2, wrongLabels: 0 });
    expect(rowsA.filter((r) => r.error).map((r) => [r.index, r.error.code])).toEqual([
      [3, 'JOB_REMOVED'],
      [5, 'JOB_REMOVED'],
    ]);
    // The forged job's image (paths[1] is green) did not become index 0's row (red).
    expect(rowsA[0]).toMatchObject({ index: 0, label: expected[0] });
    expect(viewA.counts).toMatchObject({ completed: 7, failed: 2 });
    expect((await fetch(`${system.baseUrl}/healthz`)).status).toBe(200);
  }, 150_000);
});
