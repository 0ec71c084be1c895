import { describe, expect, it } from 'vitest';
import { MicroBatcher, type BatchSlotResult } from '@hourglass/core/testing';

/** A promise settled from outside: lets a test hold a batch "in flight" as long as it likes. */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Call {
  size: number;
  buffer: Float32Array;
  gate: ReturnType<typeof deferred<number[]>>;
}

/**
 * A batcher whose runs the test controls. Each item is 2 floats: [id, -id]. A run answers with
 * one number per row, computed from the buffer it was given (id × 10), so a row that came back to
 * the wrong submitter shows.
 */
function harness(options: { maxSize: number; maxWaitMs: number; hold?: boolean; parallelRuns?: number }) {
  const calls: Call[] = [];
  const batcher = new MicroBatcher<number[]>({
    maxSize: options.maxSize,
    maxWaitMs: options.maxWaitMs,
    itemFloats: 2,
    ...(options.parallelRuns ? { parallelRuns: options.parallelRuns } : {}),
    run: (buffer, size) => {
      const gate = deferred<number[]>();
      calls.push({ size, buffer, gate });
      const answer = Array.from({ length: size }, (_, row) => buffer[row * 2]! * 10);
      if (!options.hold) gate.resolve(answer);
      return gate.promise;
    },
  });
  const submit = (id: number): Promise<BatchSlotResult<number[]>> =>
    batcher.submit((buffer, offset) => {
      buffer[offset] = id;
      buffer[offset + 1] = -id;
    });
  /** The answer a held call would have given. */
  const answerOf = (call: Call): number[] => Array.from({ length: call.size }, (_, row) => call.buffer[row * 2]! * 10);
  return { batcher, calls, submit, answerOf };
}

describe('MicroBatcher', () => {
  it('runs as soon as B items are waiting, with all B of them', async () => {
    // The timer is far away: only the size can have triggered this run.
    const { calls, submit } = harness({ maxSize: 4, maxWaitMs: 60_000 });
    const results = [1, 2, 3].map(submit);
    expect(calls).toHaveLength(0);
    results.push(submit(4));
    expect(calls).toHaveLength(1);
    expect(calls[0]!.size).toBe(4);
    expect([...calls[0]!.buffer]).toEqual([1, -1, 2, -2, 3, -3, 4, -4]);
    const settled = await Promise.all(results);
    expect(settled.map((s) => s.size)).toEqual([4, 4, 4, 4]);
  });

  it('runs a partial batch T ms after its first item, at its own size', async () => {
    const { calls, submit } = harness({ maxSize: 8, maxWaitMs: 40 });
    const started = performance.now();
    const results = Promise.all([submit(1), submit(2), submit(3)]);
    expect(calls).toHaveLength(0);
    const settled = await results;
    const waited = performance.now() - started;
    expect(calls).toHaveLength(1);
    expect(calls[0]!.size).toBe(3);
    // Only the filled part is handed over.
    expect(calls[0]!.buffer.length).toBe(6);
    expect(settled.map((s) => s.size)).toEqual([3, 3, 3]);
    // Generous bounds: timers never fire much early, and a noisy machine may fire them late.
    expect(waited).toBeGreaterThanOrEqual(35);
    expect(waited).toBeLessThan(5_000);
  });

  it('flushes on the next tick when maxWaitMs is 0', async () => {
    const { calls, submit } = harness({ maxSize: 8, maxWaitMs: 0 });
    const result = submit(7);
    expect(calls).toHaveLength(0);
    expect((await result).size).toBe(1);
    expect(calls.map((c) => c.size)).toEqual([1]);
  });

  it('gives each submitter its own row, across several batches', async () => {
    const { calls, submit } = harness({ maxSize: 3, maxWaitMs: 20 });
    const ids = [11, 22, 33, 44, 55, 66, 77];
    const settled = await Promise.all(ids.map(submit));
    expect(calls.map((c) => c.size)).toEqual([3, 3, 1]);
    settled.forEach((slot, i) => {
      expect(slot.result[slot.row], `item ${ids[i]}`).toBe(ids[i]! * 10);
    });
    expect(settled.map((s) => s.row)).toEqual([0, 1, 2, 0, 1, 2, 0]);
  });

  it('a failed run rejects every item of that batch, and not the next batch', async () => {
    const { calls, submit, answerOf } = harness({ maxSize: 2, maxWaitMs: 60_000, hold: true });
    const first = [submit(1), submit(2)].map((p) =>
      p.then(
        (v) => v,
        (e: unknown) => e,
      ),
    );
    const second = [submit(3), submit(4)];
    expect(calls).toHaveLength(2);
    const boom = new Error('session.run failed');
    calls[0]!.gate.reject(boom);
    calls[1]!.gate.resolve(answerOf(calls[1]!));
    expect(await Promise.all(first)).toEqual([boom, boom]);
    const ok = await Promise.all(second);
    expect(ok.map((s) => s.result[s.row])).toEqual([30, 40]);
  });

  it('keeps working after a failed run', async () => {
    let fail = true;
    const batcher = new MicroBatcher<string>({
      maxSize: 1,
      maxWaitMs: 60_000,
      itemFloats: 1,
      run: async () => {
        if (fail) {
          fail = false;
          throw new Error('once');
        }
        return 'fine';
      },
    });
    await expect(batcher.submit(() => undefined)).rejects.toThrow('once');
    await expect(batcher.submit(() => undefined)).resolves.toMatchObject({ result: 'fine', row: 0, size: 1 });
    await batcher.drained();
    expect(batcher.busy).toBe(false);
  });

  it('while a run is in flight, a timed-out partial batch waits and grows, then runs when the run ends', async () => {
    const { calls, submit, answerOf } = harness({ maxSize: 4, maxWaitMs: 10, hold: true });
    const firstBatch = [1, 2, 3, 4].map(submit);
    expect(calls).toHaveLength(1);

    const secondBatch = [submit(5)];
    // Well past T: a batcher that ignored the in-flight run would have started a second one by now.
    await sleep(150);
    expect(calls).toHaveLength(1);
    secondBatch.push(submit(6), submit(7));
    await sleep(30);
    expect(calls).toHaveLength(1);

    calls[0]!.gate.resolve(answerOf(calls[0]!));
    await Promise.all(firstBatch);
    // The grown batch runs right after, without waiting another T.
    await expect.poll(() => calls.length, { timeout: 5_000 }).toBe(2);
    expect(calls[1]!.size).toBe(3);
    expect([...calls[1]!.buffer]).toEqual([5, -5, 6, -6, 7, -7]);
    calls[1]!.gate.resolve(answerOf(calls[1]!));
    const settled = await Promise.all(secondBatch);
    expect(settled.map((s) => s.result[s.row])).toEqual([50, 60, 70]);
  });

  it('with two runs in flight, a timed-out partial batch keeps filling until the last of them ends', async () => {
    const { calls, submit, answerOf } = harness({ maxSize: 4, maxWaitMs: 10, hold: true });
    const firstTwo = [1, 2, 3, 4, 5, 6, 7, 8].map(submit);
    expect(calls.map((c) => c.size)).toEqual([4, 4]);
    const third = [submit(9)];
    await sleep(50); // past T

    // The first run ends while the second is still queued on the engine: the partial batch must not go
    // yet (on a busy worker that is what made batches of 9 and 13 out of B = 16).
    calls[0]!.gate.resolve(answerOf(calls[0]!));
    await Promise.all(firstTwo.slice(0, 4));
    await sleep(30);
    expect(calls).toHaveLength(2);
    third.push(submit(10), submit(11));

    calls[1]!.gate.resolve(answerOf(calls[1]!));
    await expect.poll(() => calls.length, { timeout: 5_000 }).toBe(3);
    expect(calls[2]!.size).toBe(3);
    calls[2]!.gate.resolve(answerOf(calls[2]!));
    expect((await Promise.all(third)).map((s) => s.result[s.row])).toEqual([90, 100, 110]);
  });

  it('with two engines, a timed-out partial batch runs beside one run, and waits only while both are busy', async () => {
    const { calls, submit, answerOf } = harness({ maxSize: 4, maxWaitMs: 10, hold: true, parallelRuns: 2 });
    const first = [1, 2, 3, 4].map(submit);
    expect(calls).toHaveLength(1);
    // One engine is free: the partial batch goes after T, without waiting for the first run.
    const second = [submit(5)];
    await expect.poll(() => calls.length, { timeout: 5_000 }).toBe(2);
    expect(calls[1]!.size).toBe(1);

    // Both engines busy now: the next partial batch waits past T and grows.
    const third = [submit(6)];
    await sleep(60);
    expect(calls).toHaveLength(2);
    third.push(submit(7));
    calls[0]!.gate.resolve(answerOf(calls[0]!));
    await Promise.all(first);
    await expect.poll(() => calls.length, { timeout: 5_000 }).toBe(3);
    expect(calls[2]!.size).toBe(2);
    for (const call of calls.slice(1)) call.gate.resolve(answerOf(call));
    expect((await Promise.all([...second, ...third])).map((s) => s.result[s.row])).toEqual([50, 60, 70]);
  });

  it('refuses fewer than one parallel run', () => {
    expect(() => new MicroBatcher({ maxSize: 2, maxWaitMs: 1, itemFloats: 1, parallelRuns: 0, run: async () => 0 })).toThrow(RangeError);
  });

  it('while a run is in flight, a batch that reaches B runs at once', async () => {
    const { calls, submit, answerOf } = harness({ maxSize: 2, maxWaitMs: 60_000, hold: true });
    const all = [submit(1), submit(2), submit(3), submit(4)];
    expect(calls.map((c) => c.size)).toEqual([2, 2]);
    for (const call of calls) call.gate.resolve(answerOf(call));
    expect((await Promise.all(all)).map((s) => s.result[s.row])).toEqual([10, 20, 30, 40]);
  });

  it('drained() resolves at once when idle, and only after the last run otherwise', async () => {
    const { batcher, calls, submit, answerOf } = harness({ maxSize: 2, maxWaitMs: 20, hold: true });
    await batcher.drained();
    expect(batcher.busy).toBe(false);

    const items = [submit(1), submit(2), submit(3)]; // one full batch in flight, one partial filling
    expect(batcher.busy).toBe(true);
    let drained = false;
    const done = batcher.drained().then(() => {
      drained = true;
    });
    calls[0]!.gate.resolve(answerOf(calls[0]!));
    await Promise.all(items.slice(0, 2));
    await expect.poll(() => calls.length, { timeout: 5_000 }).toBe(2);
    await sleep(10);
    expect(drained).toBe(false);
    calls[1]!.gate.resolve(answerOf(calls[1]!));
    await done;
    expect(drained).toBe(true);
    expect(batcher.busy).toBe(false);
    expect((await items[2]!).size).toBe(1);
  });

  it('drained() also waits for a partial batch that is still filling', async () => {
    const { batcher, calls, submit } = harness({ maxSize: 8, maxWaitMs: 30 });
    const item = submit(9);
    await batcher.drained();
    expect(calls).toHaveLength(1);
    expect((await item).result).toEqual([90]);
  });

  it('refuses maxSize below 1', () => {
    expect(() => new MicroBatcher({ maxSize: 0, maxWaitMs: 10, itemFloats: 1, run: async () => 0 })).toThrow(RangeError);
  });
});
