/**
 * Earlier releases kept one index of every caller's batches (`<prefix>:batches`); listings now read
 * one index per caller. The API moves the old entries over when it starts, so batches submitted
 * before the upgrade still show in their owner's list. Idempotent and safe with several APIs
 * starting at once (ZADD NX, then ZREM); entries whose batch already expired are dropped. No MULTI:
 * the indices are different slots on a Redis Cluster; every entry is added before it is removed.
 */
import type { Redis } from 'ioredis';
import type { Keys } from '../keys.js';
import { BatchStore } from './batch-store.js';

const PAGE = 1_000;

export async function migrateLegacyBatchIndex(redis: Redis, keys: Keys): Promise<{ moved: number; dropped: number }> {
  const legacy = keys.legacyBatchIndex();
  const batches = new BatchStore(redis, keys);
  let moved = 0;
  let dropped = 0;
  for (;;) {
    // Always the first page: what was handled is removed, so the next page moves up.
    const page = await redis.zrange(legacy, 0, PAGE - 1, 'WITHSCORES');
    if (page.length === 0) break;
    const entries: Array<{ id: string; score: string }> = [];
    for (let i = 0; i < page.length; i += 2) entries.push({ id: page[i]!, score: page[i + 1]! });
    const owners = await Promise.all(entries.map(({ id }) => batches.owner(id)));
    await Promise.all(
      entries.map(({ id, score }, i) => {
        const owner = owners[i];
        if (!owner) {
          dropped++;
          return Promise.resolve(0);
        }
        moved++;
        return batches.index(owner, id, score);
      }),
    );
    await redis.zrem(legacy, ...entries.map((e) => e.id));
  }
  return { moved, dropped };
}
