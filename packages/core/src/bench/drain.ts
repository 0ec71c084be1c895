/**
 * One drain run: submit N images through submitBatch (the function the API calls) and wait until
 * the batch's stored results account for every image. All times are the coordinator's clock: from
 * just before the first enqueue until a poll sees completed + failed = N. Workers' clocks are used
 * only for the per-image stage timings inside each row.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { AppError } from '../errors.js';
import { scanKeys } from '../redis.js';
import type { Keys } from '../keys.js';
import type { RegisteredModel } from '../models/registry.js';
import type { ClassifyJobData, ImageRef } from '../queues.js';
import { ResultStore } from '../results/result-store.js';
import { BatchStore } from '../batches/batch-store.js';
import { submitBatch } from '../batches/submit.js';
import { resolveChunkSize } from '../batches/chunk-size.js';
import type { ChunkSizeSource } from '../batches/chunk-size-policy.js';
import type { CpuUsage } from './cpu.js';
import { batchHistogram, sumStages, type StageSums } from './measure.js';
import { ratePerSecond, round } from './stats.js';
import { meanIdleSample, readRedisCounters, redisCostPerImage, sampleRedisIdle, type RedisCost } from './redis-cost.js';

/** The owner the benchmark submits its batches as (it bypasses the API's keys). */
export const BENCH_OWNER = 'bench';

export interface DrainOptions {
  redis: Redis;
  keys: Keys;
  queue: Queue<ClassifyJobData>;
  model: RegisteredModel;
  items: ImageRef[];
  /** Images per job (1 = one job per image; default), or 'auto': what the API picks (resolveChunkSize). */
  chunkSize?: number | 'auto';
  /**
   * The shortest gap between the coordinator's reads of the batch's counters, ms (default 20). The
   * gap grows with the time elapsed (0.5 % of it, at most 250 ms), so the end is known to within
   * 0.5 % of the drain, and while the end is far off it is a quarter of the time left, up to 1 s
   * (pollGapMs), so a long, slow drain is not charged 50 reads a second of Redis CPU.
   */
  pollMs?: number;
  /** Fail when nothing finishes for this long (a dead fleet must not hang the bench), ms. */
  stallTimeoutMs?: number;
  onProgress?: (done: number, failed: number, total: number) => void;
  /** Keep the batch's keys after reading them (default: unlink them). */
  keepKeys?: boolean;
  /**
   * Read Redis's counters just before the submit and as soon as the batch is done, so the cost
   * covers the submit, the workers and the polls, and not the coordinator reading the rows back.
   * Redis's idle floor is sampled for `redisIdleSampleMs` (default 1,000) before that and again
   * after it (before the rows are read back), and the floor is the mean of the two.
   */
  measureRedis?: boolean;
  redisIdleSampleMs?: number;
  /**
   * Started just before the first enqueue and stopped when the last result is seen, so the CPU
   * figure covers the drain alone: Redis's idle samples around it (seconds of nothing) would
   * otherwise dilute the cores used and with them the CPU per image.
   */
  cpuMeter?: () => Promise<{ stop(): Promise<CpuUsage> }>;
}

export interface DrainResult {
  batchId: string;
  images: number;
  chunkSize: number;
  /** Who chose it: 'auto' (the API's default policy) or 'request' (the bench asked). Absent in older reports: those ran 1/job by default. */
  chunkSizeSource?: ChunkSizeSource;
  chunkSizeReason?: string;
  /** Coordinator clock: just before the first enqueue → all results stored, ms. */
  wallMs: number;
  imagesPerSecond: number;
  /** submitBatch call (all addBulk chunks), ms. */
  submitMs: number;
  /** First stored result (the batch's firstResultAt) after the coordinator's start, ms. */
  firstResultMs: number;
  failures: number;
  failureCodes: Record<string, number>;
  stages: StageSums;
  batchHistogram: Record<string, number>;
  /** Distinct worker processes that produced rows. */
  workersSeen: number;
  /** What the drain cost Redis per image (with measureRedis, where INFO is allowed). */
  redis?: RedisCost;
  /** Cores used over the drain's span (with cpuMeter). */
  cpu?: CpuUsage;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The wait before the next progress read. Near the end it is 0.5 % of the time elapsed, between
 * `minMs` and 250 ms (see DrainOptions.pollMs): that bounds the error on the drain's end. Far
 * from it, a quarter of the time the rest should take at the rate so far, up to 1 s: each read is
 * a round trip to the same Redis the fleet uses, and a slow model's drain of 300 images read it
 * 2.5 times per image (~75 µs of Redis CPU per image, a third of what the images cost).
 */
export function pollGapMs(elapsedMs: number, minMs: number, remainingMs = 0): number {
  const nearEnd = Math.max(minMs, Math.min(250, elapsedMs * 0.005));
  return Math.max(nearEnd, Math.min(1_000, remainingMs / 4));
}

/** The time the rest of a drain should take at its rate so far (0 before the first result). */
export function remainingMs(done: number, total: number, elapsedMs: number): number {
  return done > 0 ? ((total - done) * elapsedMs) / done : 0;
}

export async function drainBatch(options: DrainOptions): Promise<DrainResult> {
  const { redis, keys, queue, model, items } = options;
  const pollMs = options.pollMs ?? 20;
  const stallTimeoutMs = options.stallTimeoutMs ?? 180_000;
  const total = items.length;

  // The idle sample's closing reading is the drain's starting one (INFO refused: both undefined).
  const idle = options.measureRedis ? await sampleRedisIdle(redis, options.redisIdleSampleMs ?? 1_000) : undefined;
  const redisBefore = idle?.until;
  const meter = await options.cpuMeter?.();
  const startEpoch = Date.now();
  const t0 = performance.now();
  // The auto size is chosen inside the timed span, as the API does it inside the submit request.
  const chunk = options.chunkSize === 'auto'
    ? await resolveChunkSize(redis, keys, { model: model.manifest.name, total, configuredDefault: 'auto' })
    : { chunkSize: options.chunkSize ?? 1, source: 'request' as const, reason: 'set by the bench' };
  const chunkSize = chunk.chunkSize;
  const view = await submitBatch({ redis, keys, queue }, { model, items, chunkSize, chunkSizeSource: chunk.source, chunkSizeReason: chunk.reason, owner: BENCH_OWNER });
  const submitMs = performance.now() - t0;
  const batches = new BatchStore(redis, keys);

  let done = 0;
  let failed = 0;
  let lastProgress = performance.now();
  let wallMs = 0;
  for (;;) {
    const progress = await batches.progress(view.id);
    const now = performance.now();
    const d = progress.completed + progress.failed;
    if (d !== done) lastProgress = now;
    done = d;
    failed = progress.failed;
    options.onProgress?.(done, failed, total);
    if (done >= total) {
      wallMs = now - t0;
      break;
    }
    if (now - lastProgress > stallTimeoutMs) {
      throw new AppError('INTERNAL', `bench batch ${view.id}: no progress for ${Math.round(stallTimeoutMs / 1000)} s at ${done}/${total} (are workers for "${model.manifest.name}" running against this Redis and prefix?)`);
    }
    await sleep(pollGapMs(now - t0, pollMs, remainingMs(done, total, now - t0)));
  }

  const cpu = await meter?.stop();
  let redisCost: RedisCost | undefined;
  if (options.measureRedis) {
    const redisAfter = await readRedisCounters(redis);
    // The floor drifts (1-s samples read 2.1 to 7.4 ms/s on this VM): one taken on each side of the drain.
    const idleAfter = idle ? await sampleRedisIdle(redis, options.redisIdleSampleMs ?? 1_000) : undefined;
    const floor = idle && idleAfter ? meanIdleSample(idle, idleAfter) : idle;
    redisCost = redisCostPerImage(redisBefore, redisAfter, total, floor ? { sample: floor, wallMs } : undefined);
  }
  const firstResultAt = (await batches.progress(view.id)).firstResultAt ?? 0;
  const store = new ResultStore(redis, keys);
  const failureCodes: Record<string, number> = {};
  const workers = new Set<string>();
  const timed: Array<{ timings?: { queueMs: number; preprocessMs: number; inferenceMs: number; runMs: number; batchSize: number } }> = [];
  for await (const row of store.all(view.id, total)) {
    workers.add(row.worker);
    if (row.error) failureCodes[row.error.code] = (failureCodes[row.error.code] ?? 0) + 1;
    if (row.timings) timed.push({ timings: row.timings });
  }
  if (!options.keepKeys) await forgetBatch(redis, keys, view.id);
  return {
    batchId: view.id,
    images: total,
    chunkSize,
    chunkSizeSource: chunk.source,
    chunkSizeReason: chunk.reason,
    wallMs: round(wallMs, 1),
    imagesPerSecond: round(ratePerSecond(total, wallMs), 2),
    submitMs: round(submitMs, 1),
    firstResultMs: firstResultAt > 0 ? Math.max(0, firstResultAt - startEpoch) : -1,
    failures: failed,
    failureCodes,
    stages: sumStages(timed),
    batchHistogram: batchHistogram(timed),
    workersSeen: workers.size,
    ...(redisCost ? { redis: redisCost } : {}),
    ...(cpu ? { cpu } : {}),
  };
}

/**
 * A run at the default job size: 'auto' now; in reports from before auto sizing, one image per job.
 * Curves, the blog table and the planner use these runs.
 */
export function isDefaultSizeRun(run: Pick<DrainResult, 'chunkSize' | 'chunkSizeSource'>): boolean {
  return run.chunkSizeSource === undefined ? run.chunkSize === 1 : run.chunkSizeSource === 'auto';
}

/** "16 (auto)" or "16": the images-per-job cell of the reports. */
export function chunkLabel(run: Pick<DrainResult, 'chunkSize' | 'chunkSizeSource'>): string {
  return run.chunkSizeSource === 'auto' ? `${run.chunkSize} (auto)` : String(run.chunkSize);
}

/** Removes one batch's keys and its index entry (BatchStore.remove). */
export async function forgetBatch(redis: Redis, keys: Keys, batchId: string, owner = BENCH_OWNER): Promise<void> {
  await new BatchStore(redis, keys).remove(batchId, owner);
}

/**
 * Removes every key under `prefix:` with SCAN + UNLINK: the bench's own keys only, never a flush
 * (the Redis may be shared). Returns how many keys went.
 */
export async function unlinkPrefix(redis: Redis, prefix: string): Promise<number> {
  if (!/^[A-Za-z0-9_-]+$/.test(prefix)) throw new RangeError(`refusing to clean odd prefix "${prefix}"`);
  let removed = 0;
  const found = await scanKeys(redis, `${prefix}:*`);
  // One UNLINK per key, a page at a time in parallel: on a Redis Cluster a multi-key UNLINK must
  // stay on one slot.
  for (let i = 0; i < found.length; i += 1_000) {
    removed += (await Promise.all(found.slice(i, i + 1_000).map((key) => redis.unlink(key)))).reduce((a, b) => a + b, 0);
  }
  return removed;
}
