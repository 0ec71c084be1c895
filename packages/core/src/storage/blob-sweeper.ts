/**
 * Reclaims uploaded blobs nothing refers to any more (storage/blob-refs.ts): every batch that used
 * the blob has expired (its record goes RESULTS_TTL_SECONDS after it completes) and no upload
 * holds a lease on it. The API runs one sweep per interval under a Redis lock (apps/api
 * blob-sweep.ts); the decision for each blob is atomic in Redis and the file is moved aside before
 * it is deleted (BlobStore.reclaim), so several API processes and a concurrent upload of the same
 * bytes are safe.
 *
 * Files younger than `graceMs` are not looked at. Blobs with no reference record at all were
 * stored before references were kept: one is reclaimed once its file is older than
 * RESULTS_TTL_SECONDS + grace (a batch that used it has had its whole results lifetime).
 * Leftovers of an API that died mid-upload (`tmp/*.part`) go after the grace too, and a blob a
 * dead sweep had moved aside (`tmp/<digest>.*.gone`) is put back, for the next sweep to decide.
 */
import { readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { Keys } from '../keys.js';
import type { BlobRefs } from './blob-refs.js';
import { BLOB_DIR, blobPath, type BlobStore } from './blob-store.js';

export interface BlobSweepOutcome {
  /** Blob files looked at (older than the grace). */
  examined: number;
  reclaimed: number;
  reclaimedBytes: number;
}

export interface BlobSweeperDeps {
  redis: Redis;
  keys: Keys;
  refs: BlobRefs;
  blobs: BlobStore;
  dataRoot: string;
  graceMs: number;
  resultsTtlMs: number;
}

const DIGEST = /^[0-9a-f]{64}$/;
const SHARD = /^[0-9a-f]{2}$/;

export class BlobSweeper {
  constructor(private readonly deps: BlobSweeperDeps) {}

  async sweepOnce(): Promise<BlobSweepOutcome> {
    const { dataRoot, graceMs, resultsTtlMs, refs, blobs, redis, keys } = this.deps;
    const root = path.join(dataRoot, BLOB_DIR);
    const outcome: BlobSweepOutcome = { examined: 0, reclaimed: 0, reclaimedBytes: 0 };
    await this.cleanTmp(path.join(root, 'tmp'));
    const batchExists = async (batchId: string): Promise<boolean> => (await redis.exists(keys.batch(batchId))) === 1;
    for (const shard of await names(root)) {
      if (!SHARD.test(shard)) continue;
      for (const digest of await names(path.join(root, shard))) {
        if (!DIGEST.test(digest) || digest.slice(0, 2) !== shard) continue;
        const info = await stat(path.join(dataRoot, blobPath(digest))).catch(() => undefined);
        const age = info?.isFile() ? Date.now() - info.mtimeMs : -1;
        if (age < graceMs) continue;
        outcome.examined++;
        const references = await refs.inspect(digest, batchExists);
        if (references.kind === 'live') continue;
        if (references.kind === 'none' && age < resultsTtlMs + graceMs) continue;
        if (await blobs.reclaim(digest)) {
          outcome.reclaimed++;
          outcome.reclaimedBytes += info!.size;
        }
      }
    }
    return outcome;
  }

  private async cleanTmp(tmp: string): Promise<void> {
    const { dataRoot, graceMs } = this.deps;
    for (const name of await names(tmp)) {
      const file = path.join(tmp, name);
      const info = await stat(file).catch(() => undefined);
      if (!info?.isFile() || Date.now() - info.mtimeMs < graceMs) continue;
      const digest = name.split('.')[0]!;
      if (name.endsWith('.gone') && DIGEST.test(digest)) await rename(file, path.join(dataRoot, blobPath(digest))).catch(() => undefined);
      else if (name.endsWith('.part')) await rm(file, { force: true });
    }
  }
}

async function names(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}
