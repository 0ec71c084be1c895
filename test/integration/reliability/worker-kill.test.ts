/**
 * Worker SIGKILL: 2,000 images served by two worker processes; three times, at a random point of
 * the batch, one of them is killed with SIGKILL (no chance to clean up) and a replacement is
 * started. BullMQ's stalled-job check gives the dead worker's jobs to the living ones once their
 * locks expire; result rows are stored once per (batch, index), so a job run twice adds nothing.
 * Recovery time = from the kill until every job that was in flight at that moment is completed.
 */
import { QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpawnedWorker } from '@hourglass/worker';
import { fetchResults, startTestSystem, waitForBatch, type TestSystem } from '../../helpers/system.js';
import { FAST_RECOVERY_ENV, audit, expectExactlyOnce, submit, trackRecovery, waitForDone, writeImages } from './fleet.js';

const TOTAL = 2_000;

describe('worker SIGKILL during a batch', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem();
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('3 kills of 2 workers, replaced each time: every image exactly once, none failed', { timeout: 150_000 }, async () => {
    const { paths, expected } = await writeImages(system, TOTAL);
    const start = () => system.startWorker({ env: FAST_RECOVERY_ENV });
    const live: SpawnedWorker[] = await Promise.all([start(), start()]);
    // One image per job: every kill then finds the victim with jobs in flight, and the recovery
    // time below is per job. The auto job size is killed in the next test.
    const id = await submit(system, paths, 1);
    const queue = system.api.context.queues.get('colours');
    // Best effort (events can be missed), only to show the kills hit work in flight.
    const eventsRedis = new Redis(system.redisUrl, { maxRetriesPerRequest: null });
    const events = new QueueEvents('classify-colours', { connection: eventsRedis, prefix: system.prefix });
    let stalled = 0;
    events.on('stalled', () => stalled++);
    await events.waitUntilReady();

    // Three random moments, one in each third of the batch's first 80 %.
    const moments = [0.05, 0.3, 0.55].map((from) => Math.floor(TOTAL * (from + Math.random() * 0.2)));
    const kills: Array<{ done: number; recovery: Promise<{ jobs: number; ms: number }> }> = [];
    for (const moment of moments) {
      const view = await waitForDone(system, id, moment);
      const victim = live.splice(Math.floor(Math.random() * live.length), 1)[0]!;
      const at = Date.now();
      victim.child.kill('SIGKILL');
      expect(await victim.exited).toBe('SIGKILL');
      // Still active: the victim's jobs (until their locks expire and the stalled check returns
      // them to the queue) and the survivor's.
      const recovery = trackRecovery(queue, at);
      recovery.catch(() => undefined);
      kills.push({ done: view.counts.completed + view.counts.failed, recovery });
      live.push(await start());
    }

    const view = await waitForBatch(system, id, 120_000);
    expect(view.counts.completed + view.counts.failed).toBe(TOTAL);
    const rows = await fetchResults(system, id);
    const result = audit(rows, expected);
    expectExactlyOnce(result, TOTAL);

    const recoveries = await Promise.all(kills.map((k) => k.recovery));
    await events.close();
    eventsRedis.disconnect();
    expect(stalled).toBeGreaterThan(0);
    // The victim held jobs each time, and they came back within lock + 2 stalled intervals + slack.
    for (const r of recoveries) expect(r.jobs).toBeGreaterThan(0);
    for (const r of recoveries) expect(r.ms).toBeLessThan(15_000);
    console.info(
      `[reliability] worker-kill: kills=${kills.length} at done=${kills.map((k) => k.done).join(',')} inFlightJobs=${recoveries.map((r) => r.jobs).join(',')} ` +
        `recoveryMs=${recoveries.map((r) => r.ms).join(',')} stalledJobsRecovered=${stalled} lost=${result.lost} duplicates=${result.duplicates} failed=${result.failed} ` +
        `lock=${FAST_RECOVERY_ENV.LOCK_DURATION_MS}ms stalledInterval=${FAST_RECOVERY_ENV.STALLED_INTERVAL_MS}ms`,
    );
  });

  it('a kill at the auto job size: several images per job, every image exactly once', { timeout: 150_000 }, async () => {
    const { paths, expected } = await writeImages(system, TOTAL);
    const start = () => system.startWorker({ env: FAST_RECOVERY_ENV });
    const victim = await start();
    await start();
    const id = await submit(system, paths);
    const created = (await (await system.request(`/v1/batches/${id}`)).json()) as { chunkSize: number; chunkSizeSource: string };
    expect(created.chunkSizeSource).toBe('auto');
    expect(created.chunkSize).toBeGreaterThan(1);
    await waitForDone(system, id, Math.floor(TOTAL * (0.2 + Math.random() * 0.4)));
    victim.child.kill('SIGKILL');
    expect(await victim.exited).toBe('SIGKILL');
    const view = await waitForBatch(system, id, 120_000);
    expect(view.counts.completed + view.counts.failed).toBe(TOTAL);
    const result = audit(await fetchResults(system, id), expected);
    expectExactlyOnce(result, TOTAL);
    console.info(
      `[reliability] worker-kill at auto size: ${created.chunkSize} images/job, lost=${result.lost} duplicates=${result.duplicates} failed=${result.failed}`,
    );
  });
});
