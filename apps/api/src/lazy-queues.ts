/** One BullMQ queue per model, created on first use and closed together on shutdown. */
/** What LazyQueues needs of a queue: a BullMQ Queue, or the shards of one model's queue. */
export interface ClosableQueue {
  on(event: 'error', listener: (error: Error) => void): unknown;
  close(): Promise<void>;
}

export class LazyQueues<Q extends ClosableQueue> {
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
