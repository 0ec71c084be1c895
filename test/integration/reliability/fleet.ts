/**
 * Shared pieces of the fault tests: many image references over a few small real JPEGs, submit,
 * progress that tolerates an API or Redis that is briefly away, and the exactly-once audit of a
 * batch's result rows.
 */
import type { Queue } from 'bullmq';
import { expect } from 'vitest';
import { auditRows, type AuditedRow, type RowAudit } from '@hourglass/core';
import type { TestSystem } from '../../helpers/system.js';

/** Workers in fault tests: short locks so a killed worker's jobs come back in seconds. */
export const FAST_RECOVERY_ENV = { LOCK_DURATION_MS: '2000', STALLED_INTERVAL_MS: '1000', WORKERS_PER_HOST: '2' } as const;

export { submit, writeImages } from '../../helpers/colour-batch.js';

export interface Progress {
  status: string;
  total: number;
  counts: { queued: number; active: number; completed: number; failed: number };
}

/** The batch view, or undefined while the API answers with an error (Redis away, API restarting). */
export async function progress(system: TestSystem, id: string): Promise<Progress | undefined> {
  try {
    const response = await system.request(`/v1/batches/${id}`);
    if (response.status !== 200) return undefined;
    return (await response.json()) as Progress;
  } catch {
    return undefined;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once completed + failed reaches `done` (polling every 20 ms). */
export async function waitForDone(system: TestSystem, id: string, done: number, timeoutMs = 120_000): Promise<Progress> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = await progress(system, id);
    if (view && view.counts.completed + view.counts.failed >= done) return view;
    if (Date.now() > deadline) throw new Error(`batch ${id} did not reach ${done} finished images in ${timeoutMs} ms: ${JSON.stringify(view)}`);
    await sleep(20);
  }
}

/** Counts what a batch's results say: every index once, no failure, the expected label each time. */
export function audit(rows: Array<Record<string, any>>, expected: readonly string[]): RowAudit {
  return auditRows(rows as AuditedRow[], expected);
}

export function expectExactlyOnce(result: RowAudit, total: number): void {
  expect(result).toEqual({ total, rows: total, distinct: total, lost: 0, duplicates: 0, failed: 0, wrongLabels: 0 });
}

/**
 * Recovery after a kill: resolves with the ms from `killedAt` until every job that was active
 * right after the kill (the dead worker's, still holding their expiring locks, and the
 * survivors') has been completed by someone. Jobs removed by removeOnComplete count as done.
 */
export async function trackRecovery(
  queue: Pick<Queue, 'getActive' | 'getJobState'>,
  killedAt: number,
  timeoutMs = 60_000,
): Promise<{ jobs: number; ms: number }> {
  const ids = (await queue.getActive()).map((job) => job.id!);
  let pending = ids;
  while (pending.length > 0) {
    if (Date.now() - killedAt > timeoutMs)
      throw new Error(`${pending.length} jobs still not completed ${timeoutMs} ms after the kill: ${pending.slice(0, 5).join(', ')}`);
    const states = await Promise.all(pending.map((id) => queue.getJobState(id)));
    pending = pending.filter((_, i) => !['completed', 'failed', 'unknown'].includes(states[i]!));
    if (pending.length > 0) await sleep(50);
  }
  return { jobs: ids.length, ms: Date.now() - killedAt };
}
