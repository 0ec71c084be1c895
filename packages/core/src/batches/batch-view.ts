/** What a client sees of a batch, derived from the counters the result store maintains. */
import type { Redis } from 'ioredis';
import { AppError } from '../errors.js';
import type { Keys } from '../keys.js';
import type { ChunkSizeSource } from './chunk-size-policy.js';

export type BatchStatus = 'queued' | 'running' | 'completed';

export interface BatchView {
  id: string;
  model: string;
  modelVersion: number;
  total: number;
  /** Images per job (1 = one job per image). */
  chunkSize: number;
  /** Who chose chunkSize: the request, the server's DEFAULT_CHUNK_SIZE, or the auto policy. */
  chunkSizeSource: ChunkSizeSource;
  /** Why that size (for auto: the rule that decided and the rates it used). */
  chunkSizeReason: string;
  status: BatchStatus;
  counts: { queued: number; active: number; completed: number; failed: number };
  timings: { createdAt: string; firstResultAt: string | null; finishedAt: string | null };
  /** From creation to the last result (or to now while running), ms. */
  elapsedMs: number;
  /** Finished images per second over elapsedMs. */
  imagesPerSecond: number;
}

const iso = (ms: string | undefined): string | null => (ms ? new Date(Number(ms)).toISOString() : null);

export function toBatchView(meta: Record<string, string>, now = Date.now()): BatchView {
  const total = Number(meta.total);
  const completed = Number(meta.completed ?? 0);
  const failed = Number(meta.failed ?? 0);
  const done = completed + failed;
  const started = Math.max(done, Math.min(total, Number(meta.started ?? 0)));
  const createdAt = Number(meta.createdAt);
  const end = meta.finishedAt ? Number(meta.finishedAt) : now;
  const elapsedMs = Math.max(0, end - createdAt);
  return {
    id: meta.id!,
    model: meta.model!,
    modelVersion: Number(meta.modelVersion ?? 1),
    total,
    chunkSize: Number(meta.chunkSize ?? 1),
    // Batches created before sizes were chosen automatically carry neither field.
    chunkSizeSource: (meta.chunkSizeSource as ChunkSizeSource | undefined) ?? 'default',
    chunkSizeReason: meta.chunkSizeReason ?? `${Number(meta.chunkSize ?? 1)} images/job`,
    status: done >= total ? 'completed' : started > 0 ? 'running' : 'queued',
    counts: { queued: total - started, active: started - done, completed, failed },
    timings: { createdAt: iso(meta.createdAt)!, firstResultAt: iso(meta.firstResultAt), finishedAt: iso(meta.finishedAt) },
    elapsedMs,
    imagesPerSecond: elapsedMs > 0 ? Math.round((done / elapsedMs) * 1000 * 100) / 100 : 0,
  };
}

export async function readBatch(redis: Redis, keys: Keys, batchId: string): Promise<BatchView> {
  const meta = await redis.hgetall(keys.batch(batchId));
  if (!meta.id) throw new AppError('BATCH_NOT_FOUND', `batch "${batchId}" does not exist (or its results expired)`);
  return toBatchView(meta);
}

/** The batch's owner (hash of the API key that created it), for access checks. */
export async function readBatchOwner(redis: Redis, keys: Keys, batchId: string): Promise<string | null> {
  return redis.hget(keys.batch(batchId), 'owner');
}
