/**
 * Coalesces a worker's result writes: every markStarted / storeRows call made in the same turn of
 * the event loop goes to Redis as ONE script call per batch. The images of a micro-batch finish
 * together (one session.run resolves them all), so their jobs store their rows in the same turn:
 * without this, B images cost B round trips and B script runs; with it, one. Measured with
 * `npm run bench:smoke` (Redis script calls per image, from the server's INFO counters): see the
 * README's benchmark section.
 *
 * Semantics are the store's: rows are HSETNX'd and counted once; exactly one caller per batch is
 * told it completed the batch (the first whose rows were in the completing call).
 */
import type { ResultRow } from './result-row.js';
import type { ResultStore } from './result-store.js';

/** What the classify processor needs of a result store. */
export interface ResultWriter {
  markStarted(batchId: string, indices: readonly number[]): Promise<unknown>;
  storeRows(batchId: string, rows: readonly ResultRow[]): Promise<{ completedBatch: boolean }>;
}

interface Waiter {
  resolve: (completedBatch: boolean) => void;
  reject: (error: unknown) => void;
}

interface Pending {
  started: number[];
  startWaiters: Waiter[];
  rows: ResultRow[];
  storeWaiters: Waiter[];
}

export class CoalescingResultWriter implements ResultWriter {
  private pending = new Map<string, Pending>();
  private scheduled = false;

  constructor(private readonly store: Pick<ResultStore, 'markStarted' | 'storeRows'>) {}

  markStarted(batchId: string, indices: readonly number[]): Promise<void> {
    if (indices.length === 0) return Promise.resolve();
    return new Promise<boolean>((resolve, reject) => {
      const group = this.group(batchId);
      group.started.push(...indices);
      group.startWaiters.push({ resolve, reject });
    }).then(() => undefined);
  }

  storeRows(batchId: string, rows: readonly ResultRow[]): Promise<{ completedBatch: boolean }> {
    if (rows.length === 0) return Promise.resolve({ completedBatch: false });
    return new Promise<boolean>((resolve, reject) => {
      const group = this.group(batchId);
      group.rows.push(...rows);
      group.storeWaiters.push({ resolve, reject });
    }).then((completedBatch) => ({ completedBatch }));
  }

  private group(batchId: string): Pending {
    let group = this.pending.get(batchId);
    if (!group) {
      group = { started: [], startWaiters: [], rows: [], storeWaiters: [] };
      this.pending.set(batchId, group);
    }
    if (!this.scheduled) {
      this.scheduled = true;
      // After the current turn: every job resolved by the same micro-batch has called in by then.
      setImmediate(() => this.flush());
    }
    return group;
  }

  private flush(): void {
    const groups = this.pending;
    this.pending = new Map();
    this.scheduled = false;
    for (const [batchId, group] of groups) {
      // Both calls go out at once (one connection keeps their order): starts, then rows.
      if (group.started.length > 0)
        settle(
          this.store.markStarted(batchId, group.started).then(() => false),
          group.startWaiters,
        );
      if (group.rows.length > 0)
        settle(
          this.store.storeRows(batchId, group.rows).then((r) => r.completedBatch),
          group.storeWaiters,
        );
    }
  }
}

/** Resolves every waiter with the outcome; only the first learns that the batch completed. */
function settle(outcome: Promise<boolean>, waiters: Waiter[]): void {
  outcome.then(
    (completed) => waiters.forEach((w, i) => w.resolve(completed && i === 0)),
    (error: unknown) => waiters.forEach((w) => w.reject(error)),
  );
}
