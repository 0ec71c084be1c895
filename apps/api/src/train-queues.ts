/** One BullMQ queue per backbone for train jobs (`train-<model>`), created lazily, closed on shutdown. */
import type { Queue } from 'bullmq';
import { createTrainQueue, type Redis, type TrainJobData } from '@hourglass/core';

export class TrainQueueSet {
  private readonly queues = new Map<string, Queue<TrainJobData>>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  get(model: string): Queue<TrainJobData> {
    let queue = this.queues.get(model);
    if (!queue) {
      queue = createTrainQueue(model, this.redis, this.prefix);
      queue.on('error', () => undefined);
      this.queues.set(model, queue);
    }
    return queue;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }
}
