/**
 * A model's classify queue split into K shards (QUEUE_SHARDS). BullMQ keeps one queue on one hash
 * slot, so on a Redis Cluster one queue is one master's work however many masters there are; K
 * queues per model let one model's traffic use up to K masters. The API spreads a batch's jobs
 * over the shards (job n goes to shard n mod K: round-robin by chunk, and the same shard again when
 * a submit is retried, so a retry still adds nothing), and every worker consumes every shard.
 *
 * Names: on a single Redis, shard 0 is classify-<model> (the one queue of K = 1, unchanged) and
 * shard s is classify-<model>~s ('~' is never in a model name). On a cluster every name is a
 * {hash tag}, chosen so that shard s of K lands in the s-th K-th of the slot space: with the even
 * slot split `redis-cli --cluster create` makes, K shards over K masters sit one per master rather
 * than wherever CRC16 happens to put them.
 */
import { Queue, type ConnectionOptions, type Job, type JobState, type JobType } from 'bullmq';
import { CLUSTER_SLOTS, keySlot } from './hash-slot.js';
import { classifyQueueName, type ClassifyBulkJob, type ClassifyJobData, type ClassifyJobSink } from './queues.js';

export interface QueueLayout {
  /** Queues per model (QUEUE_SHARDS). */
  shards: number;
  /** Hash-tagged names (a Redis Cluster): each queue's keys share one slot. */
  hashTagged: boolean;
}

export const SINGLE_QUEUE_LAYOUT: QueueLayout = { shards: 1, hashTagged: false };

export function queueLayout(config: { QUEUE_SHARDS: number; REDIS_CLUSTER_NODES?: readonly unknown[] | undefined }): QueueLayout {
  return { shards: config.QUEUE_SHARDS, hashTagged: config.REDIS_CLUSTER_NODES !== undefined };
}

/** A tag for shard `shard` of `shards` whose slot lies in that shard's share of the slot space. */
function spreadTag(base: string, shard: number, shards: number): string {
  const from = Math.floor((shard * CLUSTER_SLOTS) / shards);
  const to = Math.floor(((shard + 1) * CLUSTER_SLOTS) / shards);
  for (let salt = 0; ; salt++) {
    const tag = salt === 0 ? base : `${base}.${salt}`;
    const slot = keySlot(tag);
    if (slot >= from && slot < to) return tag;
  }
}

export function classifyShardName(model: string, shard: number, layout: QueueLayout): string {
  const base = shard === 0 ? classifyQueueName(model) : `${classifyQueueName(model)}~${shard}`;
  return layout.hashTagged ? `{${spreadTag(base, shard, layout.shards)}}` : base;
}

export function classifyQueueNames(model: string, layout: QueueLayout): string[] {
  return Array.from({ length: layout.shards }, (_, shard) => classifyShardName(model, shard, layout));
}

/**
 * Jobs in flight per shard when one worker process consumes `shards` queues. The process-wide
 * budget (`total`, 2 × B) is split over the shards, but never below one micro-batch (`batchSize`):
 * a batch with fewer jobs than shards leaves some shards empty, and the one that has work must
 * still be able to fill a batch alone. In flight in all: at most max(total, shards × B).
 */
export function shardConcurrency(total: number, batchSize: number, shards: number): number {
  return Math.max(1, Math.min(total, Math.max(batchSize, Math.ceil(total / shards))));
}

/** The shard of a job id `<batchId>-<n>`: n mod K. */
export function classifyJobShard(jobId: string, shards: number): number {
  const n = /-(\d+)$/.exec(jobId)?.[1];
  if (n === undefined) throw new RangeError(`"${jobId}" is not a classify job id (<batchId>-<n>)`);
  return Number(n) % shards;
}

/**
 * The K queues of one model, with the few Queue operations the API and the tests use, each over
 * every shard: counts are summed, pause/resume reach all, a job is looked up on its own shard.
 */
export class ShardedClassifyQueue implements ClassifyJobSink {
  readonly shards: Array<Queue<ClassifyJobData>>;

  constructor(
    readonly model: string,
    connection: ConnectionOptions,
    prefix: string,
    readonly layout: QueueLayout = SINGLE_QUEUE_LAYOUT,
  ) {
    this.shards = classifyQueueNames(model, layout).map((name) => new Queue<ClassifyJobData>(name, { connection, prefix }));
  }

  get names(): string[] {
    return this.shards.map((q) => q.name);
  }

  shardOf(jobId: string): Queue<ClassifyJobData> {
    return this.shards[classifyJobShard(jobId, this.shards.length)]!;
  }

  /** Adds each job to its own shard (from its job id); one addBulk per shard, in parallel. */
  async addBulk(jobs: ClassifyBulkJob[]): Promise<void> {
    const byShard = this.shards.map((): ClassifyBulkJob[] => []);
    for (const job of jobs) byShard[classifyJobShard(job.opts.jobId, this.shards.length)]!.push(job);
    await Promise.all(byShard.map((list, shard) => (list.length > 0 ? this.shards[shard]!.addBulk(list) : Promise.resolve([]))));
  }

  async getJobCounts(...types: JobType[]): Promise<Record<string, number>> {
    const all = await Promise.all(this.shards.map((q) => q.getJobCounts(...types)));
    const sum: Record<string, number> = {};
    for (const counts of all) for (const [type, n] of Object.entries(counts)) sum[type] = (sum[type] ?? 0) + n;
    return sum;
  }

  async getActiveCount(): Promise<number> {
    return (await Promise.all(this.shards.map((q) => q.getActiveCount()))).reduce((a, b) => a + b, 0);
  }

  async getActive(): Promise<Array<Job<ClassifyJobData>>> {
    return (await Promise.all(this.shards.map((q) => q.getActive()))).flat();
  }

  getJobState(jobId: string): Promise<JobState | 'unknown'> {
    return this.shardOf(jobId).getJobState(jobId);
  }

  async pause(): Promise<void> {
    await Promise.all(this.shards.map((q) => q.pause()));
  }

  async resume(): Promise<void> {
    await Promise.all(this.shards.map((q) => q.resume()));
  }

  /** Paused when every shard is (the board pauses one shard at a time). */
  async isPaused(): Promise<boolean> {
    return (await Promise.all(this.shards.map((q) => q.isPaused()))).every(Boolean);
  }

  on(event: 'error', listener: (error: Error) => void): this {
    for (const q of this.shards) q.on(event, listener);
    return this;
  }

  async close(): Promise<void> {
    await Promise.all(this.shards.map((q) => q.close()));
  }
}
