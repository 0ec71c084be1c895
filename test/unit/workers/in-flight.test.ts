import { describe, expect, it } from 'vitest';
import { jobsInFlightFor } from '@hourglass/core';

describe('jobsInFlightFor', () => {
  // [images per job, image budget (2 × B), most jobs (2 × B), expected jobs in flight]
  it.each([
    [1, 32, 32, 32],
    [4, 32, 32, 9],
    // 13 per job: 3 jobs (39 images) would leave the batch behind the running one short while a
    // job straddling two batches waits for the later one; 4 hold budget + 12.
    [13, 32, 32, 4],
    [16, 32, 32, 3],
    [256, 32, 32, 2], // never fewer than 2: the next job is fetched while one runs
    [0, 32, 32, 32], // nonsense sizes count as 1
    [3, 8, 8, 4],
    [1, 1, 1, 1], // a worker that allows one job keeps one
  ])('%i images/job, budget %i, at most %i jobs -> %i', (k, budget, max, expected) => {
    expect(jobsInFlightFor(k, budget, max)).toBe(expected);
    const kk = Math.max(1, k);
    expect(jobsInFlightFor(k, budget, max) * kk).toBeGreaterThanOrEqual(Math.min(budget + kk - 1, max * kk));
  });
});
