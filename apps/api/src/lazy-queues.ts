/** One BullMQ queue per model, created on first use and closed together on shutdown. */
import type { Queue } from 'bullmq';

export class LazyQueues<Q extends Queue> {
  private readonly queues = new Map<string, Q>();

  /** `create` builds the queue of one model (classify-<model>, train-<model>, ...). */
  constructor(private readonly create: (model: string) => Q) {}

  get(model: string): Q {
    let queue = this.queues.get(model);
    if (!queue) {
      queue = this.create(model);
      // Connection errors surface on the requests that use the queue; do not crash the process.
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
