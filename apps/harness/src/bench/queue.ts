/**
 * `npm run bench:queue`: the queue-only ceiling. For each worker-process count it starts that many
 * queue-only workers (the production worker with a null classifier), then drains one batch per
 * images-per-job setting through submitBatch (the API's submit) and reads what each drain cost
 * Redis from the server's counters. Redis is a private redis-server unless a URL is given (an
 * external one, e.g. a cluster's, is then used with a private key prefix and never flushed).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Keys, createClassifyQueue, createRedis } from '@hourglass/core';
import {
  CpuMeter,
  QUEUE_BENCH_SCHEMA,
  corpusItems,
  describeMachine,
  drainBatch,
  forgetBatch,
  imagesPerRedisCore,
  unlinkPrefix,
  type QueueBenchReport,
  type QueueRun,
} from '@hourglass/core/bench';
import { startRedisServer, type RedisServerHandle } from '@hourglass/core/testing';
import type { SpawnedWorker } from '@hourglass/worker';
import { harnessEnv } from '../env.js';
import { warmUntilRated } from './warm-up.js';
import { QUEUE_MODEL, idleRedisCpuUsPerSecond, startQueueOnlyFleet, stopQueueOnlyFleet, writeQueueOnlyFixture } from '../local-system/queue-only-fleet.js';

export interface QueueBenchOptions {
  images: number;
  /** Images per job, or 'auto' (the API's default policy, from the queue-only workers' heartbeats). */
  chunks: Array<number | 'auto'>;
  workers: number[];
  /** An existing Redis (default: REDIS_URL, else a private redis-server). */
  redisUrl?: string;
  command: string;
  out?: NodeJS.WriteStream;
}

export async function runQueueBench(options: QueueBenchOptions, env: NodeJS.ProcessEnv = process.env): Promise<QueueBenchReport> {
  const out = options.out ?? process.stderr;
  const say = (line = ''): void => void out.write(`${line}\n`);
  const root = await mkdtemp(path.join(os.tmpdir(), 'hourglass-queue-bench-'));
  const redisUrl = options.redisUrl ?? harnessEnv(env).REDIS_URL;
  let server: RedisServerHandle | undefined;
  if (!redisUrl) server = await startRedisServer();
  const url = redisUrl ?? server!.url;
  const prefix = `qbench-${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const redis = createRedis(url, 'worker');
  const queueConnection = createRedis(url, 'worker');
  const keys = new Keys(prefix);
  const queue = createClassifyQueue(QUEUE_MODEL, queueConnection, prefix);
  let fleet: SpawnedWorker[] = [];
  try {
    const { modelsDir, dataRoot, model, corpus } = await writeQueueOnlyFixture(root);
    const machine = await describeMachine(redis);
    const report: QueueBenchReport = { schema: QUEUE_BENCH_SCHEMA, createdAt: new Date().toISOString(), command: options.command, machine, redisKind: server ? 'spawned' : 'external', runs: [], idle: [], notes: [] };
    say(`hourglass bench:queue: redis ${url}${server ? ' (spawned for this run)' : ''}, prefix ${prefix}, ${options.images} images per run`);
    const workerEnv: NodeJS.ProcessEnv = { ...env, REDIS_URL: url, HOURGLASS_PREFIX: prefix, DATA_ROOT: dataRoot, MODELS_DIR: modelsDir, LOG_LEVEL: harnessEnv(env).LOG_LEVEL, HEARTBEAT_INTERVAL_MS: String(harnessEnv(env).HEARTBEAT_INTERVAL_MS) };
    const pids = (): number[] => [process.pid, ...(server?.process.pid ? [server.process.pid] : []), ...fleet.flatMap((w) => (w.child.pid ? [w.child.pid] : []))];

    for (const workers of options.workers) {
      fleet = await startQueueOnlyFleet(workers, workerEnv, say);
      const { first: warm, rates } = await warmUntilRated({ redis, keys, queue, model, corpus, workers, firstImages: Math.min(options.images, 2_000) });
      const [idleUs] = await idleRedisCpuUsPerSecond([redis], 3_000);
      const idle = Math.round((idleUs! / 1000) * 100) / 100;
      report.idle.push({ workers, redisCpuMsPerSecond: idle });
      say(`  ${workers} worker process(es): warm-up ${warm.images} images at ${Math.round(warm.imagesPerSecond)} img/s; heartbeat rates ${rates.map((r) => Math.round(r)).join(', ')} img/s; idle Redis CPU ${idle} ms/s`);
      for (const chunk of options.chunks) {
        const drain = await drainBatch({ redis, keys, queue, model, items: corpusItems(corpus, options.images), chunkSize: chunk, keepKeys: true, measureRedis: true, cpuMeter: () => CpuMeter.start(pids) });
        const cpu = drain.cpu ?? { machineCores: null, oursCores: null, foreignCores: null };
        const stored = Number((await redis.call('MEMORY', 'USAGE', keys.results(drain.batchId), 'SAMPLES', '0').catch(() => 0)) ?? 0);
        await new Promise((r) => setTimeout(r, 200)); // the completing worker reads the batch once
        await forgetBatch(redis, keys, drain.batchId);
        const cost = drain.redis ?? { scriptCallsPerImage: 0, cpuUsPerImage: 0 };
        const run: QueueRun = {
          workers,
          chunkSize: drain.chunkSize,
          chunkSizeSource: drain.chunkSizeSource ?? 'request',
          images: drain.images,
          wallMs: drain.wallMs,
          imagesPerSecond: drain.imagesPerSecond,
          redis: cost,
          imagesPerRedisCore: imagesPerRedisCore(cost.cpuUsPerImage),
          storedBytesPerImage: Math.round(stored / drain.images),
          failures: drain.failures,
          cpu,
        };
        report.runs.push(run);
        say(`    ${String(run.chunkSize).padStart(3)}/job${run.chunkSizeSource === 'auto' ? ' (auto)' : '       '} ${Math.round(run.imagesPerSecond)} img/s · redis ${cost.cpuUsPerImage} µs/img = ${run.imagesPerRedisCore} img/s per core · ${cost.scriptCallsPerImage} calls/img · ${cost.netBytesPerImage ?? '?'} net B/img · ${run.storedBytesPerImage} stored B/img · cpu ours ${cpu.oursCores ?? '?'} / other ${cpu.foreignCores ?? '?'} · failures ${run.failures}`);
      }
      await stopQueueOnlyFleet(fleet);
      fleet = [];
    }
    return report;
  } finally {
    await stopQueueOnlyFleet(fleet);
    await queue.close().catch(() => undefined);
    await unlinkPrefix(redis, prefix).catch(() => undefined);
    await Promise.all([redis.quit().catch(() => redis.disconnect()), queueConnection.quit().catch(() => queueConnection.disconnect())]);
    await server?.stop();
    await rm(root, { recursive: true, force: true });
  }
}
