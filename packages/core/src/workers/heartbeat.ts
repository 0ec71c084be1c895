/**
 * Each worker process refreshes a key with a TTL; the API lists live workers by scanning them.
 * A crashed worker disappears from the list after one TTL, without anyone cleaning up.
 */
import type { Redis } from 'ioredis';
import type { Keys } from '../keys.js';
import { scanKeys } from '../redis.js';

export interface WorkerHeartbeat {
  id: string;
  model: string;
  modelVersion: number;
  ep: string;
  host: string;
  pid: number;
  batchSize: number;
  /** ONNX sessions it runs side by side (absent from workers older than the field: one). */
  inferenceSessions?: number;
  /** Intra-op threads of each session. */
  intraOpThreads: number;
  startedAt: number;
  seenAt: number;
  /** Images finished by this process since it started. */
  processed: number;
  /** Images/s while busy (BusyRateMeter); absent until enough images were done. The API sizes jobs with it. */
  imagesPerSecond?: number;
  /** Jobs it runs at once (the BullMQ concurrency). */
  concurrency?: number;
  /** The BullMQ queues (its model's shards) it consumes; the API checks it drains what it enqueues. */
  queues?: string[];
}

export class HeartbeatPublisher {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly intervalMs: number,
    private readonly snapshot: () => Omit<WorkerHeartbeat, 'seenAt'>,
  ) {}

  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat().catch(() => undefined), this.intervalMs);
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    const beat: WorkerHeartbeat = { ...this.snapshot(), seenAt: Date.now() };
    const ttlSeconds = Math.max(2, Math.ceil((this.intervalMs * 3) / 1000));
    await this.redis.set(this.keys.worker(beat.model, beat.id), JSON.stringify(beat), 'EX', ttlSeconds);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    const beat = this.snapshot();
    await this.redis.del(this.keys.worker(beat.model, beat.id)).catch(() => undefined);
  }
}

export async function listLiveWorkers(redis: Redis, keys: Keys): Promise<WorkerHeartbeat[]> {
  // Every master's keys on a Redis Cluster; one GET each (an MGET must stay on one slot).
  const found = await scanKeys(redis, keys.workerPattern(), 500);
  if (found.length === 0) return [];
  const values = await Promise.all(found.map((key) => redis.get(key)));
  return values.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as WorkerHeartbeat);
}
