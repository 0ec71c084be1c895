/**
 * Every Redis key hourglass writes, in one place. BullMQ's own keys share the same prefix.
 * Batch keys use a `{batch:<id>}` hash tag so one batch's keys live in one Redis Cluster slot
 * (the Lua script that stores a result touches several of them at once).
 */
export class Keys {
  constructor(readonly prefix: string) {}

  batch(batchId: string): string {
    return `${this.prefix}:{batch:${batchId}}:meta`;
  }
  results(batchId: string): string {
    return `${this.prefix}:{batch:${batchId}}:results`;
  }
  started(batchId: string): string {
    return `${this.prefix}:{batch:${batchId}}:started`;
  }
  /**
   * One caller's batches, newest last (score: creation time). Per caller, so a listing reads its own
   * newest batches however many others submit; entries whose batch expired are pruned as it is read.
   */
  batchIndex(owner: string): string {
    return `${this.prefix}:batches:${owner}`;
  }
  /** The one index of every caller's batches that releases before 2026-11-26 kept (migrated at API start). */
  legacyBatchIndex(): string {
    return `${this.prefix}:batches`;
  }
  /**
   * Batches whose jobs are all enqueued and whose last row is not stored yet (score: creation
   * time). The removed-job sweeper reads it and drops batches that finished or expired.
   */
  openBatches(): string {
    return `${this.prefix}:batches-open`;
  }
  /** Held from a submit's MAX_QUEUED_PER_MODEL check to its last enqueued job (batches/submit-lock.ts). */
  submitLock(model: string): string {
    return `${this.prefix}:submit-lock:${model}`;
  }
  /** Held by the one API process that sweeps open batches in a given interval. */
  sweeperLock(): string {
    return `${this.prefix}:sweeper-lock`;
  }
  /**
   * Who still needs one uploaded blob (storage/blob-refs.ts): a sorted set of upload leases and
   * batch ids. One key per blob, so every command on it is single-slot on a Redis Cluster.
   */
  blobRefs(digest: string): string {
    return `${this.prefix}:blob-refs:${digest}`;
  }
  /** Held by the one API process that sweeps unreferenced blobs in a given interval. */
  blobSweeperLock(): string {
    return `${this.prefix}:blob-sweeper-lock`;
  }
  /** Requests counted for one caller in one fixed window (the API's per-key rate limit). */
  rateLimit(caller: string, window: number): string {
    return `${this.prefix}:rl:${caller}:${window}`;
  }
  idempotency(apiKeyHash: string, key: string): string {
    return `${this.prefix}:idem:${apiKeyHash}:${key}`;
  }
  worker(model: string, workerId: string): string {
    return `${this.prefix}:workers:${model}:${workerId}`;
  }
  workerPattern(): string {
    return `${this.prefix}:workers:*`;
  }
}
