/**
 * Whether a classify job is one that submitBatch made for the batch it names. submitBatch gives job
 * n of a batch the id `<batchId>-<n>` and the images n × chunkSize .. n × chunkSize + chunkSize - 1;
 * a job added or edited by hand (Bull Board's add or update-data) that claims another batch's
 * images fails this check, and the worker stores nothing for it. A batch's total and chunk size
 * never change, so each worker reads them once per batch.
 */
import type { Redis } from 'ioredis';
import type { Keys } from '../keys.js';
import { classifyJobId, type ClassifyJobData } from '../queues.js';
import { BatchStore } from './batch-store.js';

export interface BatchLayout {
  total: number;
  chunkSize: number;
}

/** The pure rule, given the batch's shape. */
export function jobBelongsToBatch(jobId: string | undefined, data: ClassifyJobData, shape: BatchLayout): boolean {
  const prefix = `${data.batchId}-`;
  if (jobId === undefined || !jobId.startsWith(prefix) || !Array.isArray(data.items)) return false;
  const n = Number(jobId.slice(prefix.length));
  if (!Number.isSafeInteger(n) || n < 0 || classifyJobId(data.batchId, n) !== jobId) return false;
  const first = n * shape.chunkSize;
  const expected = Math.min(shape.chunkSize, shape.total - first);
  if (expected <= 0 || data.items.length !== expected) return false;
  return data.items.every((item, k) => item?.index === first + k);
}

const CACHED_BATCHES = 1_000;

export class BatchShapes {
  private readonly cache = new Map<string, BatchLayout>();

  private readonly batches: BatchStore;

  constructor(redis: Redis, keys: Keys) {
    this.batches = new BatchStore(redis, keys);
  }

  /** The batch's total and chunk size; undefined when the batch does not exist (expired, forged id). */
  async get(batchId: string): Promise<BatchLayout | undefined> {
    const cached = this.cache.get(batchId);
    if (cached) return cached;
    const record = await this.batches.record(batchId);
    if (!record) return undefined;
    const shape = { total: record.total, chunkSize: record.chunkSize };
    if (this.cache.size >= CACHED_BATCHES) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(batchId, shape);
    return shape;
  }

  async owns(jobId: string | undefined, data: ClassifyJobData): Promise<boolean> {
    if (typeof data?.batchId !== 'string') return false;
    const shape = await this.get(data.batchId);
    return shape !== undefined && jobBelongsToBatch(jobId, data, shape);
  }
}
