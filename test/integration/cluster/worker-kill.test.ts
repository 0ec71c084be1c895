/**
 * Worker SIGKILL on a real Redis Cluster with QUEUE_SHARDS=3: 1,200 images served by two worker
 * processes that each consume all three shards; twice, mid-batch, one is killed with SIGKILL and a
 * replacement started. The dead worker's jobs, on whichever shards they were, come back through
 * BullMQ's stalled-job check on their own shard; rows are stored once per (batch, index) on the
 * batch's one slot, so nothing is lost and nothing is counted twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpawnedWorker } from '@hourglass/worker';
import { useRedisCluster } from '../../helpers/redis-cluster.js';
import { fetchResults, startTestSystem, waitForBatch, type TestSystem } from '../../helpers/system.js';
import { FAST_RECOVERY_ENV, audit, expectExactlyOnce, submit, trackRecovery, waitForDone, writeImages } from '../reliability/fleet.js';

const TOTAL = 1_200;

describe('worker SIGKILL during a batch on sharded queues (Redis Cluster)', () => {
  const cluster = useRedisCluster();
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem({ sharedEnv: { REDIS_CLUSTER_NODES: cluster.get().nodesEnv, QUEUE_SHARDS: '3' } });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('2 kills of 2 workers, replaced each time: every image exactly once, none failed', { timeout: 150_000 }, async () => {
    const { paths, expected } = await writeImages(system, TOTAL);
    const start = () => system.startWorker({ env: FAST_RECOVERY_ENV });
    const id = await submit(system, paths);
    const queue = system.api.context.queues.get('colours');
    // Every shard holds work (counted before any worker runs: completed jobs are removed at once).
    const waiting = await Promise.all(queue.shards.map(async (q) => (await q.getJobCounts('wait')).wait!));
    for (const n of waiting) expect(n).toBeGreaterThan(0);
    const live: SpawnedWorker[] = await Promise.all([start(), start()]);

    const moments = [0.1, 0.45].map((from) => Math.floor(TOTAL * (from + Math.random() * 0.2)));
    const recoveries: Array<Promise<{ jobs: number; ms: number }>> = [];
    for (const moment of moments) {
      await waitForDone(system, id, moment);
      const victim = live.splice(Math.floor(Math.random() * live.length), 1)[0]!;
      const at = Date.now();
      victim.child.kill('SIGKILL');
      expect(await victim.exited).toBe('SIGKILL');
      // Active on any shard right after the kill: the victim's (locks expiring) and the survivor's.
      const recovery = trackRecovery(queue, at);
      recovery.catch(() => undefined);
      recoveries.push(recovery);
      live.push(await start());
    }

    const view = await waitForBatch(system, id, 120_000);
    expect(view.counts.completed + view.counts.failed).toBe(TOTAL);
    const result = audit(await fetchResults(system, id), expected);
    expectExactlyOnce(result, TOTAL);
    const recovered = await Promise.all(recoveries);
    // The kills hit work in flight (all of it came back): at least one kill found active jobs.
    expect(Math.max(...recovered.map((r) => r.jobs))).toBeGreaterThan(0);
    // Every shard was drained: nothing is left waiting or active on any of them.
    const left = await Promise.all(queue.shards.map(async (q) => q.getJobCounts('wait', 'active', 'delayed')));
    for (const counts of left) expect(counts).toEqual({ wait: 0, active: 0, delayed: 0 });
    console.info(
      `[cluster] worker-kill: kills=${moments.length} inFlightJobs=${recovered.map((r) => r.jobs).join(',')} recoveryMs=${recovered.map((r) => r.ms).join(',')} lost=${result.lost} duplicates=${result.duplicates} waitingPerShard=${waiting.join(',')}`,
    );
  });
});
