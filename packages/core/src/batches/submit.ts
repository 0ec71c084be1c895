/**
 * Creates a batch and enqueues its jobs. Safe to repeat: job ids derive from the batch id, so a
 * retried submit (same Idempotency-Key, or a crash between chunks) re-adds nothing that exists,
 * and addBulk — a pipeline, not a transaction — is simply run again for every chunk.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError } from '../errors.js';
import type { Keys } from '../keys.js';
import type { RegisteredModel } from '../models/registry.js';
import { classifyJobId, classifyJobOptions, type ClassifyJobData, type ClassifyJobSink, type ImageRef } from '../queues.js';
import { checkBatchShape } from './batch-request.js';
import type { BatchView } from './batch-view.js';
import { BatchStore } from './batch-store.js';
import type { ChunkSizeSource } from './chunk-size-policy.js';

/** addBulk pipelines longer than this hold Redis for too long in one go. */
export const ADD_BULK_CHUNK = 1_000;
const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

export interface SubmitRequest {
  model: RegisteredModel;
  items: ImageRef[];
  /** Images per job; 1 (default) = one job per image. */
  chunkSize?: number;
  /** Who chose chunkSize (resolveChunkSize): 'request' unless said otherwise when it is set. */
  chunkSizeSource?: ChunkSizeSource;
  /** Why that size, shown in the batch view. */
  chunkSizeReason?: string;
  idempotencyKey?: string;
  /** Stable hash of the caller's API key: idempotency keys are per caller. */
  owner: string;
  /**
   * Called with the batch id before its record is written (the API records which uploaded blobs
   * the batch refers to, so the blob sweeper never sees a live batch without its references).
   */
  beforeCreate?: (batchId: string) => Promise<void>;
}

export interface SubmitDeps {
  redis: Redis;
  keys: Keys;
  /** The model's queue: a BullMQ Queue, or a ShardedClassifyQueue that spreads jobs over shards. */
  queue: ClassifyJobSink;
}

export function newBatchId(): string {
  // Never all digits and never ':' (BullMQ job id rules); sortable by time.
  return `b${Date.now().toString(36)}${randomBytes(6).toString('hex')}`;
}

function chunkSizeSource(request: SubmitRequest): ChunkSizeSource {
  return request.chunkSizeSource ?? (request.chunkSize === undefined ? 'default' : 'request');
}

function fingerprint(request: SubmitRequest): string {
  // A size the server chose is not part of the request: a retry after the workers' rates moved
  // is still the same request (and gets the size stored with the batch).
  const asked = chunkSizeSource(request) === 'request' ? String(request.chunkSize) : 'server';
  const hash = createHash('sha256').update(request.model.manifest.name).update(asked);
  for (const item of request.items) hash.update('\0').update(item.path);
  return hash.digest('hex').slice(0, 32);
}

/**
 * Whether a submit with this Idempotency-Key got past its checks before (claimBatchId claimed the
 * key for it): its retry adds no work beyond what was admitted then.
 */
export async function isIdempotencyKeyClaimed(redis: Redis, keys: Keys, owner: string, idempotencyKey: string): Promise<boolean> {
  return (await redis.exists(keys.idempotency(owner, idempotencyKey))) === 1;
}

async function claimBatchId(deps: SubmitDeps, request: SubmitRequest): Promise<string> {
  if (!request.idempotencyKey) return newBatchId();
  const key = deps.keys.idempotency(request.owner, request.idempotencyKey);
  const print = fingerprint(request);
  const candidate = newBatchId();
  const won = await deps.redis.set(key, `${candidate} ${print}`, 'EX', IDEMPOTENCY_TTL_SECONDS, 'NX');
  if (won) return candidate;
  const existing = (await deps.redis.get(key)) ?? '';
  const [batchId, existingPrint] = existing.split(' ');
  if (!batchId) return claimBatchId(deps, request);
  if (existingPrint !== print) {
    throw new AppError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for a different request', { details: { batchId } });
  }
  return batchId;
}

export async function submitBatch(deps: SubmitDeps, request: SubmitRequest): Promise<BatchView> {
  const { redis, keys, queue } = deps;
  const total = request.items.length;
  const chunkSize = request.chunkSize ?? 1;
  // The same rules the API applied to its request (batch-request.ts), for callers that skip the API.
  checkBatchShape({ idempotencyKey: request.idempotencyKey, count: total, chunkSize });
  const batchId = await claimBatchId(deps, request);
  await request.beforeCreate?.(batchId);
  const { manifest } = request.model;
  const now = Date.now();
  const batches = new BatchStore(redis, keys);

  // Created once however often this runs, its owner's index written after it (BatchStore.create).
  const source = chunkSizeSource(request);
  // A retry enqueues with the size the first attempt stored (job ids and contents must match).
  const { chunkSize: storedChunkSize } = await batches.create({
    id: batchId,
    model: manifest.name,
    modelVersion: manifest.version,
    total,
    chunkSize,
    createdAt: now,
    owner: request.owner,
    chunkSizeSource: source,
    chunkSizeReason: request.chunkSizeReason ?? `${chunkSize} images/job: ${source === 'request' ? 'set by the request' : 'the default'}`,
  });
  if (!(await batches.isEnqueued(batchId))) {
    await enqueue(queue, batchId, manifest.name, request.items, storedChunkSize);
    await batches.markEnqueued(batchId);
  }
  // Only once every job is added: the sweeper takes a job missing from an open batch as removed.
  await batches.open(batchId, now);
  return batches.view(batchId);
}

async function enqueue(queue: SubmitDeps['queue'], batchId: string, model: string, items: ImageRef[], chunkSize: number): Promise<void> {
  const enqueuedAt = Date.now();
  let jobs: Array<{ name: string; data: ClassifyJobData; opts: { jobId: string } & typeof classifyJobOptions }> = [];
  for (let start = 0, n = 0; start < items.length; start += chunkSize, n++) {
    jobs.push({
      name: 'classify',
      data: { batchId, model, items: items.slice(start, start + chunkSize), enqueuedAt },
      opts: { ...classifyJobOptions, jobId: classifyJobId(batchId, n) },
    });
    if (jobs.length === ADD_BULK_CHUNK) {
      await queue.addBulk(jobs);
      jobs = [];
    }
  }
  if (jobs.length > 0) await queue.addBulk(jobs);
}
