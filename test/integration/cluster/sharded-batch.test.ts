/**
 * Sharded queues on a real Redis Cluster (3 masters on loopback): QUEUE_SHARDS=3, two worker
 * processes consuming every shard. A batch's jobs are spread over the three shards, each shard's
 * queue lives on its own master, the batch completes with every image stored exactly once, a
 * retried submit adds nothing, and the listing, metrics and live-worker views (SCAN over every
 * master) work on the cluster.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { classifyQueueNames } from '@hourglass/core';
import { keySlot } from '@hourglass/core/testing';
import { useRedisCluster } from '../../helpers/redis-cluster.js';
import { fetchResults, startTestSystem, waitForBatch, type TestSystem } from '../../helpers/system.js';
import { audit, expectExactlyOnce, writeImages } from '../reliability/fleet.js';

const SHARDS = 3;
const TOTAL = 300;
const CHUNK = 4;
const JOBS = TOTAL / CHUNK;

describe('sharded queues on a Redis Cluster', () => {
  const cluster = useRedisCluster();
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem({ sharedEnv: { REDIS_CLUSTER_NODES: cluster.get().nodesEnv, QUEUE_SHARDS: String(SHARDS) } });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('puts each shard of a model on its own master, with hash-tagged names', async () => {
    const names = classifyQueueNames('colours', { shards: SHARDS, hashTagged: true });
    expect(system.api.context.queues.get('colours').names).toEqual(names);
    // Which master serves each shard, from the cluster's own slot map.
    const probe = new Redis(cluster.get().nodes[0]!);
    try {
      const slots = (await probe.call('CLUSTER', 'SLOTS')) as Array<[number, number, [string, number]]>;
      const owner = (slot: number): number => slots.find(([from, to]) => slot >= from && slot <= to)![2][1];
      const masters = await Promise.all(
        names.map(async (name) => {
          const key = `${system.prefix}:${name}:wait`;
          expect(Number(await probe.call('CLUSTER', 'KEYSLOT', key))).toBe(keySlot(key));
          return owner(keySlot(key));
        }),
      );
      expect(new Set(masters).size).toBe(SHARDS);
    } finally {
      probe.disconnect();
    }
  });

  it('completes a batch spread over 3 shards, every image exactly once; a retried submit adds nothing', { timeout: 120_000 }, async () => {
    const { paths, expected } = await writeImages(system, TOTAL);
    const body = JSON.stringify({ model: 'colours', chunkSize: CHUNK, images: paths.map((p) => ({ path: p })) });
    const post = () => system.request('/v1/batches', { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'sharded-1' }, body });
    const first = await post();
    expect(first.status).toBe(202);
    const { id } = (await first.json()) as { id: string };
    const again = await post();
    expect(again.status).toBe(202);
    expect(((await again.json()) as { id: string }).id).toBe(id);
    // Before any worker runs (completed jobs are removed at once): every shard holds a third of the
    // jobs, submitted twice and added once, and /metrics sums the shards.
    const queues = system.api.context.queues.get('colours');
    expect(await Promise.all(queues.shards.map(async (q) => (await q.getJobCounts('wait')).wait))).toEqual(
      [JOBS / SHARDS, JOBS / SHARDS, JOBS / SHARDS].map(Math.ceil),
    );
    const metrics = await (await fetch(`${system.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`hourglass_queue_jobs\\{[^}]*model="colours"[^}]*state="waiting"[^}]*\\} ${JOBS}\\b`));
    await Promise.all([system.startWorker(), system.startWorker()]);

    const view = await waitForBatch(system, id, 100_000);
    expect(view.counts).toEqual({ queued: 0, active: 0, completed: TOTAL, failed: 0 });
    expectExactlyOnce(audit(await fetchResults(system, id), expected), TOTAL);

    const perShard = await Promise.all(queues.shards.map((q) => q.getJobCounts('failed', 'wait', 'active', 'delayed')));
    expect(perShard.reduce((sum, c) => sum + c.failed! + c.wait! + c.active! + c.delayed!, 0)).toBe(0);
    // A retry of the whole submit after completion: same batch, no new job anywhere.
    const late = await post();
    expect(((await late.json()) as { id: string }).id).toBe(id);
    expect((await queues.getJobCounts('completed', 'wait')).wait).toBe(0);

    const listing = (await (await system.request('/v1/batches')).json()) as { batches: Array<{ id: string }> };
    expect(listing.batches.map((b) => b.id)).toContain(id);
  });

  it('serves /metrics from the cluster: queue counts summed over shards and both live workers', async () => {
    const text = await (await fetch(`${system.baseUrl}/metrics`)).text();
    expect(text).toMatch(/hourglass_queue_jobs\{[^}]*model="colours"[^}]*state="waiting"[^}]*\} 0\b/);
    expect(text).toMatch(/hourglass_live_workers\{model="colours"\} 2/);
  });
});
