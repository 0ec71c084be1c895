/**
 * Who still needs an uploaded blob. Blobs are content-addressed, so one file may serve many
 * batches and many uploads at once; each blob has one Redis sorted set (Keys.blobRefs) with:
 * - `u:<token>`: an upload lease, scored by its expiry (ms). An upload takes it as soon as the
 *   bytes are hashed, BEFORE the file is moved into place, and drops it once its batch is recorded
 *   (or the request failed). It covers the moment when the file exists but no batch names it yet.
 * - `b:<batchId>`: a batch that refers to the blob, scored +inf. It counts while the batch's record
 *   exists in Redis: the record expires RESULTS_TTL_SECONDS after the batch completes, so a blob
 *   lives exactly as long as the last batch whose results can still be read.
 * Every command touches one key, so this works on a Redis Cluster unchanged.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Keys } from '../keys.js';

/** Drops expired leases; if nothing is left, deletes the set and answers 1 (the blob may go). */
const FORGET_IF_UNREFERENCED = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
if redis.call('ZCARD', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`;

export type BlobReferences = { kind: 'none' } | { kind: 'live' } | { kind: 'expired' };

export class BlobRefs {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  /** Takes an upload lease of `ttlMs`; returns its token (for release). */
  async lease(digest: string, ttlMs: number): Promise<string> {
    const token = randomUUID();
    await this.redis.zadd(this.keys.blobRefs(digest), Date.now() + ttlMs, `u:${token}`);
    return token;
  }

  async release(digest: string, token: string): Promise<void> {
    await this.redis.zrem(this.keys.blobRefs(digest), `u:${token}`);
  }

  /** Records that batch `batchId` refers to the blob (idempotent: a retried submit adds nothing). */
  async attach(digest: string, batchId: string): Promise<void> {
    await this.redis.zadd(this.keys.blobRefs(digest), '+inf', `b:${batchId}`);
  }

  /**
   * Reads the blob's references, dropping batches whose record is gone. `none`: no record was ever
   * kept (a blob stored before references existed); `expired`: every reference ended.
   */
  async inspect(digest: string, batchExists: (batchId: string) => Promise<boolean>): Promise<BlobReferences> {
    const key = this.keys.blobRefs(digest);
    const entries = await this.redis.zrange(key, 0, -1, 'WITHSCORES');
    if (entries.length === 0) return { kind: 'none' };
    const now = Date.now();
    let live = false;
    for (let i = 0; i < entries.length; i += 2) {
      const member = entries[i]!;
      if (member.startsWith('b:')) {
        if (await batchExists(member.slice(2))) live = true;
        // ZREM of one member: a batch id added again meanwhile (a retry) is the same, still-gone batch.
        else await this.redis.zrem(key, member);
      } else if (Number(entries[i + 1]) >= now) {
        live = true;
      }
    }
    return { kind: live ? 'live' : 'expired' };
  }

  /** Atomically: true (and the record deleted) when no lease or batch reference is left. */
  async forgetIfUnreferenced(digest: string): Promise<boolean> {
    return (await this.redis.eval(FORGET_IF_UNREFERENCED, 1, this.keys.blobRefs(digest), String(Date.now()))) === 1;
  }
}
