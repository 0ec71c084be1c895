/**
 * Durable per-image results. A stalled job can run twice (at-least-once delivery); storing is a
 * Lua script that writes a row with HSETNX and bumps the batch's counters only when the row is new,
 * atomically, so each (batch, index) is stored and counted exactly once whatever runs twice.
 */
import type { Redis } from 'ioredis';
import { BATCH_FIELD as F } from '../batch-fields.js';
import type { Keys } from '../keys.js';
import { DEFAULT_RESULTS_TTL_SECONDS } from '../limits.js';
import { isFailure, type ResultRow } from './result-row.js';

// The batch hash's field names come from batch-fields.ts, the record's one list of them (the
// BatchStore in batches/ owns the rest of the record; results may not import batches).
// KEYS: results hash, meta hash, started hash. ARGV: now, ttlSeconds, then (index, json, failed)
// triples. Returns { rows newly stored, 1 if this call stored the batch's last row else 0, rows
// refused }: finishedAt is set with HSETNX, so exactly one call ever sees the 1, however often rows
// are stored again. The started hash only dedupes starts while the batch runs: it goes when the
// batch is done. A row whose index is not an integer below the batch's total (a forged or edited
// job, or a batch that expired) is refused: counted, it would complete a batch with an index missing.
const STORE_ROWS = `
local stored = 0
local failed = 0
local finished = 0
local refused = 0
local now = ARGV[1]
local total = tonumber(redis.call('HGET', KEYS[2], '${F.total}') or '-1')
for i = 3, #ARGV, 3 do
  local index = tonumber(ARGV[i])
  if not index or index < 0 or index >= total or index ~= math.floor(index) or tostring(index) ~= ARGV[i] then
    refused = refused + 1
  elseif redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1]) == 1 then
    stored = stored + 1
    if ARGV[i + 2] == '1' then failed = failed + 1 end
  end
end
-- The counters once per call, not once per row.
if failed > 0 then redis.call('HINCRBY', KEYS[2], '${F.failed}', failed) end
if stored > failed then redis.call('HINCRBY', KEYS[2], '${F.completed}', stored - failed) end
if stored > 0 then
  redis.call('HSETNX', KEYS[2], '${F.firstResultAt}', now)
  local done = tonumber(redis.call('HGET', KEYS[2], '${F.completed}') or '0') + tonumber(redis.call('HGET', KEYS[2], '${F.failed}') or '0')
  if total >= 0 and done >= total and redis.call('HSETNX', KEYS[2], '${F.finishedAt}', now) == 1 then
    finished = 1
    redis.call('DEL', KEYS[3])
    local ttl = tonumber(ARGV[2])
    if ttl > 0 then
      redis.call('EXPIRE', KEYS[1], ttl)
      redis.call('EXPIRE', KEYS[2], ttl)
    end
  end
end
return { stored, finished, refused }
`;

// KEYS: started hash, meta hash. ARGV: indices. Counts each index's first start only. A finished
// (or expired) batch is left alone: a late duplicate run must not recreate keys nobody deletes.
const MARK_STARTED = `
if redis.call('HEXISTS', KEYS[2], '${F.finishedAt}') == 1 or redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
local fresh = 0
for i = 1, #ARGV do
  fresh = fresh + redis.call('HSETNX', KEYS[1], ARGV[i], '1')
end
if fresh > 0 then redis.call('HINCRBY', KEYS[2], '${F.started}', fresh) end
return fresh
`;

type ScriptRedis = Redis & {
  hgStoreRows(results: string, meta: string, started: string, ...args: string[]): Promise<[number, number, number]>;
  hgMarkStarted(started: string, meta: string, ...args: string[]): Promise<number>;
};

export class ResultStore {
  private readonly redis: ScriptRedis;

  /**
   * `ttlSeconds`: how long a finished batch's results are kept (0 = forever). Only a store that
   * writes rows (the workers') uses it; one that only reads can take the default.
   */
  constructor(
    redis: Redis,
    private readonly keys: Keys,
    private readonly ttlSeconds = DEFAULT_RESULTS_TTL_SECONDS,
  ) {
    this.redis = redis as ScriptRedis;
    if (!('hgStoreRows' in redis)) {
      redis.defineCommand('hgStoreRows', { numberOfKeys: 3, lua: STORE_ROWS });
      redis.defineCommand('hgMarkStarted', { numberOfKeys: 2, lua: MARK_STARTED });
    }
  }

  /** Stores rows; returns how many were new (0 when a duplicate run stored them already). */
  async store(batchId: string, rows: readonly ResultRow[]): Promise<number> {
    return (await this.storeRows(batchId, rows)).stored;
  }

  /**
   * Stores rows like store(), and tells whether this call completed the batch (stored its last
   * row). Exactly one call per batch gets `completedBatch: true`, so whoever gets it can log or
   * count the batch's completion once, whatever ran twice. `refused` (only when some were): rows
   * whose index is not below the batch's total, or whose batch no longer exists.
   */
  async storeRows(batchId: string, rows: readonly ResultRow[]): Promise<{ stored: number; completedBatch: boolean; refused?: number }> {
    if (rows.length === 0) return { stored: 0, completedBatch: false };
    const args = rows.flatMap((row) => [String(row.index), JSON.stringify(row), isFailure(row) ? '1' : '0']);
    const [stored, finished, refused] = await this.redis.hgStoreRows(
      this.keys.results(batchId),
      this.keys.batch(batchId),
      this.keys.started(batchId),
      String(Date.now()),
      String(this.ttlSeconds),
      ...args,
    );
    return refused > 0 ? { stored, completedBatch: finished === 1, refused } : { stored, completedBatch: finished === 1 };
  }

  async markStarted(batchId: string, indices: readonly number[]): Promise<number> {
    if (indices.length === 0) return 0;
    return this.redis.hgMarkStarted(this.keys.started(batchId), this.keys.batch(batchId), ...indices.map(String));
  }

  /** Rows for indices [from, to), in index order; missing (not yet done) indices are skipped. */
  async range(batchId: string, from: number, to: number): Promise<ResultRow[]> {
    if (to <= from) return [];
    const fields = Array.from({ length: to - from }, (_, i) => String(from + i));
    const values = await this.redis.hmget(this.keys.results(batchId), ...fields);
    return values.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as ResultRow);
  }

  /** Streams every stored row in index order, `pageSize` indices per Redis round trip. */
  async *all(batchId: string, total: number, pageSize = 1_000): AsyncGenerator<ResultRow> {
    for (let from = 0; from < total; from += pageSize) {
      for (const row of await this.range(batchId, from, Math.min(total, from + pageSize))) yield row;
    }
  }
}
