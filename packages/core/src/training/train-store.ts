/**
 * Train job records in Redis, next to the BullMQ job: who submitted it (a caller only sees their
 * own), which queue holds it, and the final result once the worker stored it — so GET
 * /v1/train/:id still answers after BullMQ has trimmed the finished job.
 */
import type { Redis } from 'ioredis';
import type { TrainJobData, TrainResult } from './train-job.js';

export const TRAIN_RECORD_TTL_SECONDS = 30 * 24 * 3600;
/** Train ids listed by GET /v1/train (newest first) are kept for this many jobs. */
export const TRAIN_INDEX_SIZE = 10_000;

export interface TrainRecord {
  data: TrainJobData;
  result?: TrainResult;
  /** Set when the job failed for good. */
  error?: { code: string; message: string };
}

export class TrainStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** Records and index share the `{train}` hash tag: create() is one MULTI, in one Redis Cluster slot. */
  key(trainId: string): string {
    return `${this.prefix}:{train}:${trainId}`;
  }

  index(): string {
    return `${this.prefix}:{train}:index`;
  }

  async create(data: TrainJobData): Promise<void> {
    await this.redis
      .multi()
      .hset(this.key(data.trainId), 'data', JSON.stringify(data), 'owner', data.owner)
      .expire(this.key(data.trainId), TRAIN_RECORD_TTL_SECONDS)
      .zadd(this.index(), data.createdAt, data.trainId)
      // The index keeps the newest ones only; records expire on their own.
      .zremrangebyrank(this.index(), 0, -(TRAIN_INDEX_SIZE + 1))
      .exec();
  }

  async get(trainId: string): Promise<TrainRecord | undefined> {
    const raw = await this.redis.hgetall(this.key(trainId));
    if (!raw.data) return undefined;
    return {
      data: JSON.parse(raw.data) as TrainJobData,
      ...(raw.result ? { result: JSON.parse(raw.result) as TrainResult } : {}),
      ...(raw.error ? { error: JSON.parse(raw.error) as TrainRecord['error'] } : {}),
    };
  }

  async setResult(trainId: string, result: TrainResult): Promise<void> {
    await this.redis.hset(this.key(trainId), 'result', JSON.stringify(result));
  }

  async setError(trainId: string, error: { code: string; message: string }): Promise<void> {
    await this.redis.hset(this.key(trainId), 'error', JSON.stringify(error));
  }

  /** Newest first. */
  async recent(limit: number): Promise<string[]> {
    return this.redis.zrevrange(this.index(), 0, Math.max(0, limit - 1));
  }
}
