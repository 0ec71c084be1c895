/**
 * The batch record: its hash (`Keys.batch`), its owner's index (`Keys.batchIndex`) and the set of
 * open batches (`Keys.openBatches`). Every read and write of them goes through here, except the
 * counters the result store's Lua advances with the rows it stores (their names: batch-fields.ts).
 *
 * Redis Cluster: a batch's own keys share the `{batch:<id>}` hash tag (one slot), so a MULTI on its
 * hash is fine; the indices are other slots, so they are written in separate commands, ordered so
 * that no reader meets an id before its record. Several batches are read with one command each,
 * sent together, never one pipeline (each batch is its own slot).
 */
import type { Redis } from 'ioredis';
import { AppError } from '../errors.js';
import { BATCH_FIELD as F } from '../batch-fields.js';
import type { Keys } from '../keys.js';
import { toBatchView, type BatchView } from './batch-view.js';
import type { ChunkSizeSource } from './chunk-size-policy.js';

/** What submit knows of a batch before its jobs exist. */
export interface NewBatch {
  id: string;
  model: string;
  modelVersion: number;
  owner: string;
  total: number;
  chunkSize: number;
  chunkSizeSource: ChunkSizeSource;
  chunkSizeReason: string;
  createdAt: number;
}

/** The record's numbers the services act on (the client's view is BatchView). */
export interface BatchRecord {
  model: string;
  modelVersion: number;
  total: number;
  chunkSize: number;
  enqueued: boolean;
  started: number;
  completed: number;
  failed: number;
  finishedAt: number | null;
}

const RECORD_FIELDS = [F.model, F.modelVersion, F.total, F.chunkSize, F.enqueued, F.started, F.completed, F.failed, F.finishedAt] as const;

export class BatchStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  /**
   * Writes the record once, however often it is called (one MULTI of HSETNX per field: two racing
   * retries create it once, and no reader sees an id without its total), then its owner's index
   * entry (ZADD NX: a crash in between is healed by the retry). Returns the chunk size stored with
   * the batch, the first attempt's: a retry must enqueue the same jobs.
   */
  async create(batch: NewBatch): Promise<{ chunkSize: number }> {
    const key = this.keys.batch(batch.id);
    const fields: Record<string, string | number> = {
      [F.id]: batch.id,
      [F.model]: batch.model,
      [F.modelVersion]: batch.modelVersion,
      [F.total]: batch.total,
      [F.chunkSize]: batch.chunkSize,
      [F.createdAt]: batch.createdAt,
      [F.owner]: batch.owner,
      [F.completed]: 0,
      [F.failed]: 0,
      [F.started]: 0,
      [F.chunkSizeSource]: batch.chunkSizeSource,
      [F.chunkSizeReason]: batch.chunkSizeReason,
    };
    const create = this.redis.multi();
    for (const [field, value] of Object.entries(fields)) create.hsetnx(key, field, String(value));
    const created = await create.hget(key, F.chunkSize).exec();
    const chunkSize = Number(created?.at(-1)?.[1] ?? batch.chunkSize);
    await this.redis.zadd(this.keys.batchIndex(batch.owner), 'NX', batch.createdAt, batch.id);
    return { chunkSize };
  }

  async isEnqueued(batchId: string): Promise<boolean> {
    return (await this.redis.hget(this.keys.batch(batchId), F.enqueued)) === '1';
  }

  /** Every job of the batch is in its queue. */
  async markEnqueued(batchId: string): Promise<void> {
    await this.redis.hset(this.keys.batch(batchId), F.enqueued, '1');
  }

  /**
   * Adds the batch to the open set, which the removed-job sweeper reads: only once every job is
   * added, since the sweeper takes a job missing from an open batch as removed.
   */
  async open(batchId: string, since: number): Promise<void> {
    await this.redis.zadd(this.keys.openBatches(), 'NX', since, batchId);
  }

  /** Open batches, oldest first: ids [offset, offset + count). */
  async openIds(offset: number, count: number): Promise<string[]> {
    return this.redis.zrange(this.keys.openBatches(), offset, offset + count - 1);
  }

  /** Drops a batch from the open set (finished, expired, or never created). */
  async close(batchId: string): Promise<void> {
    await this.redis.zrem(this.keys.openBatches(), batchId);
  }

  /** What a client sees; BATCH_NOT_FOUND when it does not exist (or its results expired). */
  async view(batchId: string): Promise<BatchView> {
    const meta = await this.redis.hgetall(this.keys.batch(batchId));
    if (!meta[F.id]) throw new AppError('BATCH_NOT_FOUND', `batch "${batchId}" does not exist (or its results expired)`);
    return toBatchView(meta);
  }

  /** The batch's owner (hash of the API key that created it), for access checks; null when it does not exist. */
  async owner(batchId: string): Promise<string | null> {
    return this.redis.hget(this.keys.batch(batchId), F.owner);
  }

  /** The records of these batches, in their order; null where one does not exist. */
  async records(batchIds: readonly string[]): Promise<Array<BatchRecord | null>> {
    const raws = await Promise.all(batchIds.map((id) => this.redis.hmget(this.keys.batch(id), ...RECORD_FIELDS)));
    return raws.map(([model, modelVersion, total, chunkSize, enqueued, started, completed, failed, finishedAt]) =>
      total == null || model == null
        ? null
        : {
            model,
            modelVersion: Number(modelVersion ?? 0),
            total: Number(total),
            chunkSize: Number(chunkSize ?? 1) || 1,
            enqueued: enqueued === '1',
            started: Number(started ?? 0),
            completed: Number(completed ?? 0),
            failed: Number(failed ?? 0),
            finishedAt: finishedAt == null ? null : Number(finishedAt),
          },
    );
  }

  async record(batchId: string): Promise<BatchRecord | null> {
    return (await this.records([batchId]))[0]!;
  }

  /** Completed and failed images so far, and when the first result was stored (null before it). */
  async progress(batchId: string): Promise<{ completed: number; failed: number; firstResultAt: number | null }> {
    const [completed, failed, firstResultAt] = await this.redis.hmget(this.keys.batch(batchId), F.completed, F.failed, F.firstResultAt);
    return { completed: Number(completed ?? 0), failed: Number(failed ?? 0), firstResultAt: firstResultAt == null ? null : Number(firstResultAt) };
  }

  /**
   * A caller's newest batches from its own index. Index entries outlive their batch (a completed
   * batch's keys expire after RESULTS_TTL_SECONDS; the index has no per-member expiry), so entries
   * whose batch is gone are removed as they are met: the index shrinks back as it is read.
   */
  async list(owner: string, limit: number): Promise<BatchView[]> {
    const index = this.keys.batchIndex(owner);
    const batches: BatchView[] = [];
    // Expired entries are pruned as we go, so the next page starts where the kept ones end.
    let offset = 0;
    while (batches.length < limit) {
      const ids = await this.redis.zrevrange(index, offset, offset + limit - 1);
      if (ids.length === 0) break;
      const metas = await Promise.all(ids.map((id) => this.redis.hgetall(this.keys.batch(id))));
      const gone: string[] = [];
      ids.forEach((id, i) => {
        const meta = metas[i]!;
        // An owner check as well: the index is per owner, but a listing never trusts one key alone.
        if (meta[F.id] && meta[F.owner] === owner) batches.push(toBatchView(meta));
        else if (!meta[F.id]) gone.push(id);
      });
      if (gone.length > 0) await this.redis.zrem(index, ...gone);
      offset += ids.length - gone.length;
    }
    return batches.slice(0, limit);
  }

  /** Puts a batch in its owner's index (NX: an entry already there keeps its score). */
  async index(owner: string, batchId: string, createdAt: number | string): Promise<void> {
    await this.redis.zadd(this.keys.batchIndex(owner), 'NX', createdAt, batchId);
  }

  /** Removes a batch's keys (record, results, started) and its owner's index entry. */
  async remove(batchId: string, owner: string): Promise<void> {
    await this.redis.unlink(this.keys.batch(batchId), this.keys.results(batchId), this.keys.started(batchId));
    await this.redis.zrem(this.keys.batchIndex(owner), batchId);
  }
}

/** The batch's view (BatchStore.view), for callers that hold a client and keys. */
export async function readBatch(redis: Redis, keys: Keys, batchId: string): Promise<BatchView> {
  return new BatchStore(redis, keys).view(batchId);
}

/** The batch's owner (BatchStore.owner), for access checks. */
export async function readBatchOwner(redis: Redis, keys: Keys, batchId: string): Promise<string | null> {
  return new BatchStore(redis, keys).owner(batchId);
}

/** A caller's newest batches (BatchStore.list). */
export async function listBatches(redis: Redis, keys: Keys, owner: string, limit: number): Promise<BatchView[]> {
  return new BatchStore(redis, keys).list(owner, limit);
}
