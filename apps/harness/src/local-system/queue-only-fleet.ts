/**
 * What the two queue-only benches (bench-queue, bench-cluster) share: a scratch model folder and
 * data root, a fleet of production worker processes with the null classifier
 * (QUEUE_ONLY_WORKER_MAIN: createWorkerApp with the same BullMQ options, processor, micro-batcher,
 * coalesced result store and Lua as a real worker; no decode, no inference), and the Redis CPU each
 * server spends with that fleet idle.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadModel, writeModel, type Redis, type RegisteredModel } from '@hourglass/core';
import { readRedisCounters } from '@hourglass/core/bench';
import { buildColourNet } from '@hourglass/core/testing';
import { QUEUE_ONLY_WORKER_MAIN, spawnWorker, type SpawnedWorker } from '@hourglass/worker';

export const QUEUE_MODEL = 'queue-only';

export interface QueueOnlyFixture {
  modelsDir: string;
  dataRoot: string;
  model: RegisteredModel;
  /** The one file every item points at: the processor resolves each path under DATA_ROOT, nothing is decoded. */
  corpus: { files: string[] };
}

/** Writes the queue-only model (a real manifest the worker loads) and the one data file under `root`. */
export async function writeQueueOnlyFixture(root: string): Promise<QueueOnlyFixture> {
  const modelsDir = path.join(root, 'models');
  const dataRoot = path.join(root, 'data');
  const { manifest, onnx } = buildColourNet({ name: QUEUE_MODEL, size: 16, channels: 4 });
  // Five labels as long as the null classifier writes: rows the size of a real model's.
  await writeModel(modelsDir, { ...manifest, topK: 5, labels: ['queue-only class 0', 'queue-only class 1', 'queue-only class 2'] }, onnx);
  await mkdir(path.join(dataRoot, 'q'), { recursive: true });
  await writeFile(path.join(dataRoot, 'q', 'image.jpg'), 'not decoded');
  return { modelsDir, dataRoot, model: await loadModel(modelsDir, QUEUE_MODEL), corpus: { files: ['q/image.jpg'] } };
}

/**
 * Starts `workers` queue-only worker processes with `env` (REDIS_URL or REDIS_CLUSTER_NODES,
 * QUEUE_SHARDS, HOURGLASS_PREFIX, MODELS_DIR, DATA_ROOT...), resolving once every one is ready;
 * their warnings and errors go to `say`. If one fails to start, the others are stopped.
 */
export async function startQueueOnlyFleet(workers: number, env: NodeJS.ProcessEnv, say: (line: string) => void): Promise<SpawnedWorker[]> {
  const fleet = Array.from({ length: workers }, () =>
    spawnWorker({
      model: QUEUE_MODEL,
      entry: QUEUE_ONLY_WORKER_MAIN,
      env: { ...env, WORKERS_PER_HOST: String(workers) },
      readyTimeoutMs: 120_000,
      onLog: (record, line) => {
        if (Number(record.level) >= 40) say(`  worker: ${line}`);
      },
    }),
  );
  try {
    await Promise.all(fleet.map((w) => w.ready));
    return fleet;
  } catch (error) {
    await stopQueueOnlyFleet(fleet);
    throw error;
  }
}

export async function stopQueueOnlyFleet(fleet: readonly SpawnedWorker[]): Promise<void> {
  await Promise.all(fleet.map((w) => w.stop('SIGTERM')));
}

/**
 * Redis CPU µs per second each server spends over `ms` (cron, cluster gossip, an idle fleet's
 * heartbeats and stall checks): paid per second, not per image. 0 where INFO cpu is not readable.
 */
export async function idleRedisCpuUsPerSecond(nodes: readonly Redis[], ms: number): Promise<number[]> {
  const read = (): Promise<Array<number | undefined>> => Promise.all(nodes.map(async (node) => (await readRedisCounters(node))?.cpuSeconds));
  const before = await read();
  await new Promise((r) => setTimeout(r, ms));
  const after = await read();
  return nodes.map((_, i) => (before[i] !== undefined && after[i] !== undefined ? ((after[i]! - before[i]!) * 1e6) / (ms / 1000) : 0));
}
