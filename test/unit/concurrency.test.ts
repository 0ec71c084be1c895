import { describe, expect, it } from 'vitest';
import { mapLimit } from '@hourglass/core';
import { Semaphore } from '@hourglass/core/testing';

/** Resolves after `turns` trips through the microtask/macrotask queue (no wall-clock timing). */
const yieldTurns = async (turns: number): Promise<void> => {
  for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r));
};

describe('Semaphore', () => {
  it('never runs more than limit tasks at once and runs them all', async () => {
    const sem = new Semaphore(3);
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        sem.use(async () => {
          active++;
          peak = Math.max(peak, active);
          await yieldTurns(1 + (i % 4));
          order.push(i);
          active--;
          return i;
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(order.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('starts waiting tasks in FIFO order', async () => {
    const sem = new Semaphore(1);
    const started: number[] = [];
    await Promise.all([0, 1, 2, 3].map((i) => sem.use(async () => void started.push(i))));
    expect(started).toEqual([0, 1, 2, 3]);
  });

  it('frees the slot when a task throws', async () => {
    const sem = new Semaphore(1);
    await expect(sem.use(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(sem.use(async () => 'next')).resolves.toBe('next');
  });

  it('refuses a limit below 1', () => {
    expect(() => new Semaphore(0)).toThrow(RangeError);
  });
});

describe('mapLimit', () => {
  it('keeps input order whatever order calls finish in, with at most limit in flight', async () => {
    let active = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 4, 2, 3, 0], 2, async (turns, i) => {
      active++;
      peak = Math.max(peak, active);
      await yieldTurns(turns);
      active--;
      return `${i}:${turns}`;
    });
    expect(out).toEqual(['0:5', '1:1', '2:4', '3:2', '4:3', '5:0']);
    expect(peak).toBe(2);
  });

  it('handles an empty list and a limit above the length', async () => {
    expect(await mapLimit([], 4, async () => 1)).toEqual([]);
    expect(await mapLimit([1, 2], 10, async (x) => x * 2)).toEqual([2, 4]);
  });
});
