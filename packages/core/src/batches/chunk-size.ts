/**
 * The chunk size a submit uses: the request's own, else the server's DEFAULT_CHUNK_SIZE, else
 * (DEFAULT_CHUNK_SIZE unset or `auto`) the policy's choice from the model's live heartbeats.
 * The choice is stored with the batch, so a retried submit enqueues the same jobs even when the
 * heartbeats changed in between.
 */
import type { Redis } from 'ioredis';
import type { Keys } from '../keys.js';
import { listLiveWorkers, type WorkerHeartbeat } from '../workers/heartbeat.js';
import { chooseChunkSize, type ChunkSizeDecision } from './chunk-size-policy.js';
import { MAX_CHUNK_SIZE } from '../limits.js';

export interface ChunkSizeAsk {
  model: string;
  total: number;
  /** The request's chunkSize, if it set one. */
  requested?: number;
  /** The server's DEFAULT_CHUNK_SIZE: a number, or 'auto'. */
  configuredDefault: number | 'auto';
  /** The model's live workers, when the caller has listed them already (one scan per submit). */
  workers?: WorkerHeartbeat[];
}

/** The cores a worker's inference uses: sessions × threads on the CPU; on a GPU the device does the work. */
function inferenceCoresOf(w: WorkerHeartbeat): number {
  return w.ep === 'cpu' ? (w.inferenceSessions ?? 1) * w.intraOpThreads : 1;
}

export async function resolveChunkSize(redis: Redis, keys: Keys, ask: ChunkSizeAsk): Promise<ChunkSizeDecision> {
  if (ask.requested !== undefined) return { chunkSize: ask.requested, source: 'request', reason: `${ask.requested} images/job: set by the request` };
  if (ask.configuredDefault !== 'auto')
    return { chunkSize: ask.configuredDefault, source: 'default', reason: `${ask.configuredDefault} images/job: the server's DEFAULT_CHUNK_SIZE` };
  const workers = ask.workers ?? (await listLiveWorkers(redis, keys)).filter((w) => w.model === ask.model);
  return chooseChunkSize({
    total: ask.total,
    liveWorkers: workers.length,
    workerRates: workers.flatMap((w) => (typeof w.imagesPerSecond === 'number' ? [{ imagesPerSecond: w.imagesPerSecond, cores: inferenceCoresOf(w) }] : [])),
    maxChunkSize: MAX_CHUNK_SIZE,
  });
}
