/**
 * A caller's newest batches from its own index. Index entries outlive their batch (a completed
 * batch's keys expire after RESULTS_TTL_SECONDS; the index has no per-member expiry), so entries
 * whose batch is gone are removed as they are met: the index shrinks back as it is read.
 */
import type { Redis } from 'ioredis';
import type { Keys } from '../keys.js';
import { toBatchView, type BatchView } from './batch-view.js';

export async function listBatches(redis: Redis, keys: Keys, owner: string, limit: number): Promise<BatchView[]> {
  const index = keys.batchIndex(owner);
  const batches: BatchView[] = [];
  // Expired entries are pruned as we go, so the next page starts where the kept ones end.
  let offset = 0;
  while (batches.length < limit) {
    const ids = await redis.zrevrange(index, offset, offset + limit - 1);
    if (ids.length === 0) break;
    // One command per batch, sent together: each batch is its own slot on a Redis Cluster, where
    // a pipeline must stay on one node.
    const metas = await Promise.all(ids.map((id) => redis.hgetall(keys.batch(id))));
    const gone: string[] = [];
    ids.forEach((id, i) => {
      const meta = metas[i]!;
      // An owner check as well: the index is per owner, but a listing never trusts one key alone.
      if (meta.id && meta.owner === owner) batches.push(toBatchView(meta));
      else if (!meta.id) gone.push(id);
    });
    if (gone.length > 0) await redis.zrem(index, ...gone);
    offset += ids.length - gone.length;
  }
  return batches.slice(0, limit);
}
