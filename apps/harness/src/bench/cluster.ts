/**
 * `hourglass bench-cluster` (npm run bench:cluster): the queue-only ceiling on one Redis and on a
 * Redis Cluster, K = 1 and K = 3 queue shards. Each run drains its batches through queue-only
 * worker processes (the production worker with the null classifier, as bench-queue runs: the same
 * BullMQ options, processor, micro-batcher, coalesced result store and Lua, no decode or inference;
 * see ../local-system/queue-only-fleet.ts), submitted with the production submitBatch, and
 * reads every master's INFO before and after: Redis CPU µs per image in all and on the busiest
 * node, script calls per image. What it starts (redis-server processes on 127.0.0.1, workers) it
 * stops; nothing else is touched.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Keys, ShardedClassifyQueue, connectRedis, masterNodes, readBatch, submitBatch, type RedisNodeAddress } from '@hourglass/core';
import { corpusItems, describeMachine, machineSummary, readRedisCounters, unlinkPrefix, type RedisCounters } from '@hourglass/core/bench';
import { startRedisCluster, startRedisServer } from '@hourglass/core/testing';
import { parseCount, parseCountList } from '../flags.js';
import { renderClusterBench, writeClusterBench, type ClusterRun } from './cluster-report.js';
import { QUEUE_MODEL, idleRedisCpuUsPerSecond, startQueueOnlyFleet, stopQueueOnlyFleet, writeQueueOnlyFixture, type QueueOnlyFixture } from '../local-system/queue-only-fleet.js';

export const BENCH_CLUSTER_USAGE = `  bench-cluster [--images N] [--chunk C] [--batches B] [--shards 1,3] [--workers P] [--masters M] [--no-single] [--no-write]
                                             queue-only ceiling on 1 Redis and on an M-master Redis
                                             Cluster with K queue shards (N images as B concurrent
                                             batches); Redis CPU µs/image per master
`;

const IDLE_SAMPLE_MS = 3_000;

interface Target {
  label: string;
  env: Record<string, string>;
  connect: { REDIS_URL: string; REDIS_CLUSTER_NODES?: RedisNodeAddress[] };
  masters: number;
}

async function countersPerNode(nodes: Array<Awaited<ReturnType<typeof masterNodes>>[number]>): Promise<RedisCounters[]> {
  return Promise.all(nodes.map(async (node) => (await readRedisCounters(node)) ?? { cpuSeconds: 0, scriptCalls: 0 }));
}

async function drainOnce(target: Target, fixture: QueueOnlyFixture, shards: number, workers: number, images: number, chunkSize: number, batches: number): Promise<ClusterRun> {
  const prefix = `bcl${Date.now().toString(36)}`;
  const env = { ...target.env, PATH: process.env.PATH ?? '', MODELS_DIR: fixture.modelsDir, DATA_ROOT: fixture.dataRoot, HOURGLASS_PREFIX: prefix, QUEUE_SHARDS: String(shards), LOG_LEVEL: 'warn', BATCH_SIZE: '16' };
  const config = { ...target.connect, QUEUE_SHARDS: shards };
  const redis = connectRedis(config, 'worker');
  const keys = new Keys(prefix);
  const queue = new ShardedClassifyQueue(QUEUE_MODEL, redis, prefix, { shards, hashTagged: target.connect.REDIS_CLUSTER_NODES !== undefined });
  const nodes = await masterNodes(redis);
  const fleet = await startQueueOnlyFleet(workers, env, (line) => console.error(line));
  try {
    // What each master spends per second with the fleet idle (cron, cluster gossip, the workers'
    // heartbeats and stall checks), measured once every worker is ready and before any batch, and
    // taken off the drain's figures: it is paid per second, not per image, and at small N on a busy
    // machine it is not small.
    const idleCpuUsPerSecond = await idleRedisCpuUsPerSecond(nodes, IDLE_SAMPLE_MS);
    const before = await countersPerNode(nodes);
    const startedAt = Date.now();
    // `batches` batches at once, as a fleet serving several clients has: a batch's rows live on
    // its own slot, so one batch's result writes stay on one master whatever K is.
    const perBatch = Math.ceil(images / batches);
    const views = await Promise.all(
      Array.from({ length: batches }, (_, b) => {
        const items = corpusItems(fixture.corpus, Math.min(perBatch, images - b * perBatch));
        return submitBatch({ redis, keys, queue }, { model: fixture.model, items, chunkSize, owner: 'bench-cluster' });
      }),
    );
    const finished: number[] = [];
    for (const view of views) {
      let finishedAt: string | null = null;
      while (!finishedAt) {
        await new Promise((r) => setTimeout(r, 100));
        finishedAt = await redis.hget(keys.batch(view.id), 'finishedAt');
      }
      finished.push(Number(finishedAt));
    }
    const after = await countersPerNode(nodes);
    const measuredSeconds = (Date.now() - startedAt) / 1000;
    const createdAt = Math.min(...(await Promise.all(views.map(async (v) => Number(await redis.hget(keys.batch(v.id), 'createdAt'))))));
    const drainMs = Math.max(...finished) - createdAt;
    // Failure rows would be a broken path measured, not the queue's cost: counted, and the command fails.
    const failures = (await Promise.all(views.map((v) => readBatch(redis, keys, v.id)))).reduce((sum, v) => sum + v.counts.failed, 0);
    const rawCpuUs = nodes.map((_, i) => ((after[i]!.cpuSeconds - before[i]!.cpuSeconds) * 1e6) / images);
    const perNodeCpuUs = rawCpuUs.map((us, i) => Math.max(0, us - (idleCpuUsPerSecond[i]! * measuredSeconds) / images));
    const scriptCalls = nodes.reduce((sum, _, i) => sum + after[i]!.scriptCalls - before[i]!.scriptCalls, 0);
    return {
      redis: target.label,
      masters: target.masters,
      shards,
      workers,
      images,
      batches,
      chunkSize,
      drainMs,
      imagesPerSecond: (images / drainMs) * 1000,
      perNodeCpuUs,
      rawPerNodeCpuUs: rawCpuUs,
      idleCpuUsPerSecond,
      scriptCallsPerImage: scriptCalls / images,
      failures,
      loadAverage: os.loadavg()[0]!,
    };
  } finally {
    await stopQueueOnlyFleet(fleet);
    await queue.close();
    await unlinkPrefix(redis, prefix);
    redis.disconnect();
  }
}

export async function benchClusterCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      images: { type: 'string', default: '20000' },
      chunk: { type: 'string', default: '1' },
      batches: { type: 'string', default: '1' },
      shards: { type: 'string', default: '1,3' },
      workers: { type: 'string', default: '2' },
      masters: { type: 'string', default: '3' },
      'no-single': { type: 'boolean', default: false },
      'no-write': { type: 'boolean', default: false },
    },
  });
  // A bad number is a usage error (exit 2) before any Redis starts.
  const images = parseCount(values.images, 'images');
  const chunkSize = parseCount(values.chunk, 'chunk');
  const batches = parseCount(values.batches, 'batches');
  const workers = parseCount(values.workers, 'workers');
  const masters = parseCount(values.masters, 'masters');
  const shardCounts = parseCountList(values.shards, 'shards');
  const root = await mkdtemp(path.join(os.tmpdir(), 'hourglass-bench-cluster-'));
  const fixture = await writeQueueOnlyFixture(root);
  const loadBefore = os.loadavg();
  const runs: ClusterRun[] = [];
  let machine = '';
  try {
    if (!values['no-single']) {
      const single = await startRedisServer();
      try {
        const probe = connectRedis({ REDIS_URL: single.url }, 'client');
        machine = machineSummary(await describeMachine(probe));
        probe.disconnect();
        const target: Target = { label: '1 Redis', env: { REDIS_URL: single.url }, connect: { REDIS_URL: single.url }, masters: 1 };
        runs.push(await drainOnce(target, fixture, 1, workers, images, chunkSize, batches));
        console.log(renderClusterBench(runs.slice(-1), { header: false }));
      } finally {
        await single.stop();
      }
    }
    const cluster = await startRedisCluster({ masters, maxmemory: '256mb' });
    try {
      const target: Target = { label: `cluster, ${masters} masters`, env: { REDIS_CLUSTER_NODES: cluster.nodesEnv }, connect: { REDIS_URL: 'redis://unused', REDIS_CLUSTER_NODES: cluster.nodes }, masters };
      if (!machine) {
        const probe = connectRedis(target.connect, 'client');
        machine = machineSummary(await describeMachine((await masterNodes(probe))[0]));
        probe.disconnect();
      }
      for (const shards of shardCounts) {
        runs.push(await drainOnce(target, fixture, shards, workers, images, chunkSize, batches));
        console.log(renderClusterBench(runs.slice(-1), { header: false }));
      }
    } finally {
      await cluster.stop();
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  const report = { machine, loadBefore, loadAfter: os.loadavg(), command: `npm run bench:cluster -- ${args.join(' ')}`.trim(), runs };
  console.log(renderClusterBench(runs, { header: true, ...report }));
  if (!values['no-write']) console.log(`written: ${(await writeClusterBench(report)).join(', ')}`);
  const failures = runs.reduce((sum, run) => sum + (run.failures ?? 0), 0);
  if (failures > 0) console.error(`${failures} image(s) got failure rows: the figures do not measure the queue path`);
  return failures > 0 ? 1 : 0;
}
