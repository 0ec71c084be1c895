/**
 * Collects single images from concurrent BullMQ processors into batches for one model run. It
 * flushes when B items are waiting, or T ms after the first one arrived. While every engine is busy
 * (a full batch is dispatched at once, so more runs can be queued than there are engines) a
 * timed-out partial batch keeps filling until one of them is about to idle (at most B), so under
 * load batches grow to B on their own and at low load a lone image waits at most T ms plus the runs
 * ahead of it.
 */
export interface BatchSlotResult<R> {
  /** What the run returned for the whole batch. */
  result: R;
  /** This item's row in the batch. */
  row: number;
  /** How many items the batch held. */
  size: number;
}

export interface MicroBatcherOptions<R> {
  maxSize: number;
  maxWaitMs: number;
  /** Floats one item occupies in the batch buffer. */
  itemFloats: number;
  /** Runs a batch: `buffer` holds `size` items back to back. It is handed over, not reused. */
  run: (buffer: Float32Array, size: number) => Promise<R>;
  /** Batches the engine runs at once (its sessions; default 1): a partial batch waits only while all are busy. */
  parallelRuns?: number;
}

interface Slot<R> {
  buffer: Float32Array;
  count: number;
  timedOut: boolean;
  waiters: Array<{ resolve: (v: BatchSlotResult<R>) => void; reject: (e: unknown) => void }>;
}

export class MicroBatcher<R> {
  private current: Slot<R> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private readonly idleWaiters: Array<() => void> = [];

  private readonly parallelRuns: number;

  constructor(private readonly options: MicroBatcherOptions<R>) {
    if (options.maxSize < 1) throw new RangeError('maxSize must be ≥ 1');
    this.parallelRuns = options.parallelRuns ?? 1;
    if (this.parallelRuns < 1) throw new RangeError('parallelRuns must be ≥ 1');
  }

  /** Batches in flight plus the one filling: zero means idle. */
  get busy(): boolean {
    return this.inFlight > 0 || this.current !== undefined;
  }

  /**
   * Adds one item. `write` fills the item's floats at `offset` of the batch buffer (so the caller
   * writes its tensor in place); the promise resolves once the batch holding it has run.
   */
  submit(write: (buffer: Float32Array, offset: number) => void): Promise<BatchSlotResult<R>> {
    const slot = (this.current ??= this.openSlot());
    write(slot.buffer, slot.count * this.options.itemFloats);
    slot.count++;
    const done = new Promise<BatchSlotResult<R>>((resolve, reject) => slot.waiters.push({ resolve, reject }));
    if (slot.count >= this.options.maxSize) this.dispatch();
    return done;
  }

  /** Resolves when nothing is filling or running. */
  async drained(): Promise<void> {
    if (!this.busy) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private openSlot(): Slot<R> {
    const slot: Slot<R> = {
      buffer: new Float32Array(this.options.maxSize * this.options.itemFloats),
      count: 0,
      timedOut: false,
      waiters: [],
    };
    this.timer = setTimeout(() => {
      slot.timedOut = true;
      if (this.inFlight < this.parallelRuns) this.dispatch();
    }, this.options.maxWaitMs);
    return slot;
  }

  private dispatch(): void {
    const slot = this.current;
    if (!slot) return;
    this.current = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.inFlight++;
    const size = slot.count;
    // Hand over only the filled part: a partial batch runs at its own size.
    const buffer = size === this.options.maxSize ? slot.buffer : slot.buffer.slice(0, size * this.options.itemFloats);
    let running: Promise<R>;
    try {
      running = this.options.run(buffer, size);
    } catch (error) {
      // A run that throws synchronously still rejects only its own batch.
      running = Promise.reject(error);
    }
    running
      .then(
        (result) => slot.waiters.forEach((w, row) => w.resolve({ result, row, size })),
        (error: unknown) => slot.waiters.forEach((w) => w.reject(error)),
      )
      .finally(() => {
        this.inFlight--;
        // A timed-out partial batch goes when an engine is about to idle, not when one of several
        // queued runs ends: while every engine still has a run it can keep filling. (A full batch
        // never waits here: submit dispatches it at once.)
        const next = this.current;
        if (next?.timedOut && this.inFlight < this.parallelRuns) this.dispatch();
        if (!this.busy) this.idleWaiters.splice(0).forEach((wake) => wake());
      });
  }
}
