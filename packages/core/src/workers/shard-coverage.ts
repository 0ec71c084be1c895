/**
 * Whether a model's live workers consume every queue shard the API is about to enqueue to. The
 * API and the workers each derive their shard names from their own QUEUE_SHARDS and
 * REDIS_CLUSTER_NODES; when the two disagree, the jobs on a shard that no worker consumes wait
 * forever and their batch never completes. One worker that consumes all of them is enough (each
 * worker drains every shard it names), so a fleet in the middle of a rolling change keeps working.
 * Workers that do not report their queues (an older release) are not judged, and no live workers
 * at all is not a mismatch: a queue may be filled before its fleet starts.
 */
import { AppError } from '../errors.js';
import type { WorkerHeartbeat } from './heartbeat.js';

export interface ShardCoverage {
  /** Live workers of the model that report the queues they consume. */
  reporting: number;
  /** Of those, the ones that consume every shard the API enqueues to. */
  covering: number;
  /** The API's shards that no reporting worker consumes. */
  orphaned: string[];
}

export function shardCoverage(workers: readonly Pick<WorkerHeartbeat, 'queues'>[], shards: readonly string[]): ShardCoverage {
  const reporting = workers.filter((w) => Array.isArray(w.queues));
  const consumed = new Set(reporting.flatMap((w) => w.queues!));
  return {
    reporting: reporting.length,
    covering: reporting.filter((w) => shards.every((s) => w.queues!.includes(s))).length,
    orphaned: shards.filter((s) => !consumed.has(s)),
  };
}

/** Refuses a submit whose jobs would land on shards none of the model's live workers drains. */
export function assertShardsCovered(model: string, workers: readonly Pick<WorkerHeartbeat, 'queues'>[], shards: readonly string[]): void {
  const coverage = shardCoverage(workers, shards);
  if (coverage.reporting === 0 || coverage.covering > 0) return;
  const theirs = [...new Set(workers.flatMap((w) => (w.queues ? [w.queues.length] : [])))].join(' or ');
  throw new AppError(
    'QUEUE_LAYOUT_MISMATCH',
    `no live worker of model "${model}" consumes all of this API's ${shards.length} queue shard(s) (its workers consume ${theirs}); ` +
      `jobs on ${coverage.orphaned.length > 0 ? coverage.orphaned.join(', ') : 'them'} would never run. Give the API and the workers the same QUEUE_SHARDS and REDIS_CLUSTER_NODES.`,
    { details: { model, apiShards: shards.length, reportingWorkers: coverage.reporting, orphaned: coverage.orphaned } },
  );
}
