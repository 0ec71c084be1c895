/** A classify job belongs to its batch only as submitBatch made it: id <batchId>-<n>, images n × chunk onward. */
import { describe, expect, it } from 'vitest';
import type { ClassifyJobData } from '@hourglass/core';
import { jobBelongsToBatch } from '@hourglass/core/testing';

const data = (batchId: string, indices: number[]): ClassifyJobData => ({
  batchId,
  model: 'm',
  enqueuedAt: 0,
  items: indices.map((index) => ({ index, path: `${index}.jpg` })),
});

describe('jobBelongsToBatch', () => {
  const shape = { total: 10, chunkSize: 4 };
  it('accepts the jobs submit makes, the short last chunk included', () => {
    expect(jobBelongsToBatch('bA-0', data('bA', [0, 1, 2, 3]), shape)).toBe(true);
    expect(jobBelongsToBatch('bA-1', data('bA', [4, 5, 6, 7]), shape)).toBe(true);
    expect(jobBelongsToBatch('bA-2', data('bA', [8, 9]), shape)).toBe(true);
    expect(jobBelongsToBatch('bA-0', data('bA', [0]), { total: 1, chunkSize: 1 })).toBe(true);
  });
  it("refuses a forged id, another batch's name, edited indices, a job past the end", () => {
    expect(jobBelongsToBatch('17', data('bA', [0, 1, 2, 3]), shape)).toBe(false);
    expect(jobBelongsToBatch(undefined, data('bA', [0, 1, 2, 3]), shape)).toBe(false);
    expect(jobBelongsToBatch('bB-0', data('bA', [0, 1, 2, 3]), shape)).toBe(false);
    expect(jobBelongsToBatch('bA-01', data('bA', [4, 5, 6, 7]), shape)).toBe(false);
    expect(jobBelongsToBatch('bA-1', data('bA', [4, 5, 6, 99]), shape)).toBe(false);
    expect(jobBelongsToBatch('bA-1', data('bA', [4, 5, 6]), shape)).toBe(false);
    expect(jobBelongsToBatch('bA-3', data('bA', [12]), shape)).toBe(false);
    expect(jobBelongsToBatch('bA-0', { ...data('bA', []), items: 'x' as never }, shape)).toBe(false);
  });
});
