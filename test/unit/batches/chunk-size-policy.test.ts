import { describe, expect, it } from 'vitest';
import { CHUNK_POLICY, chooseChunkSize, type ChunkSizeInputs } from '@hourglass/core/testing';

const ask = (extra: Partial<ChunkSizeInputs>): ChunkSizeInputs => ({ total: 10_000, liveWorkers: 1, workerRates: [], maxChunkSize: 256, ...extra });

describe('chooseChunkSize', () => {
  // [case, inputs, expected size, a word the reason must contain]
  const table: Array<[string, Partial<ChunkSizeInputs>, number, string]> = [
    // 125 img/s = 8 ms/image: 2.5 ms per job ≤ 2 % needs ceil(2.5 / 0.16) = 16 images.
    ['MobileNetV2 on a CPU worker, large batch', { workerRates: [125] }, 16, '2 %'],
    ['two CPU workers, the fastest decides the floor', { liveWorkers: 2, workerRates: [100, 125] }, 16, '2 %'],
    // 2,000 images over 2 workers: 16/job still leaves 62 jobs each.
    ['MobileNetV2, 2,000 images, 2 workers', { total: 2_000, liveWorkers: 2, workerRates: [125, 125] }, 16, '2 %'],
    // 4 img/s (250 ms/image): one image is 100× the worker's job cost, but at 1 per job each image
    // would carry 130 µs of Redis: 3 per job keeps it under 50 µs (the first-result cap allows 4).
    ['a slow ViT-sized model: the Redis floor', { workerRates: [4] }, 3, 'µs of Redis'],
    // 1 img/s: the first-result cap (1 image per second of work) wins over the Redis floor.
    ['a very slow model: the first result caps the Redis floor', { workerRates: [1] }, 1, 'first result'],
    // 2,600 img/s (LeViT on a GPU): the floor (≥ 2,500/1) is above the limit.
    ['a GPU worker: the request limit caps it', { workerRates: [2_600] }, 256, 'limit'],
    // A short batch: 40 images over 2 workers × 4 jobs each = 5 per job.
    ['a short batch on fast workers: spread over the workers', { total: 40, liveWorkers: 2, workerRates: [2_600, 2_600] }, 5, 'each worker'],
    ['one image', { total: 1, workerRates: [2_600] }, 1, 'each worker'],
    // 20 img/s = 50 ms/image: the floor is 3, the first-result cap 20: 3.
    ['a mid-speed model', { workerRates: [20] }, 3, '2 %'],
    // The floor wants 16 at 125 img/s but a 1 s first job allows only 1000/250 = 4 at a median of 4 img/s.
    ['one fast and two slow workers: the first result caps', { liveWorkers: 3, workerRates: [125, 4, 4] }, 4, 'first result'],
    // No rates: 10 ms assumed → ceil(2.5 / 0.2) = 13.
    ['no worker has reported a rate yet', { workerRates: [] }, 13, 'assumed'],
    ['no live worker at all', { liveWorkers: 0, workerRates: [] }, 13, 'assumed'],
    ['nonsense rates are ignored', { workerRates: [Number.NaN, -5, 0, Number.POSITIVE_INFINITY] }, 13, 'assumed'],
    // A heartbeat is JSON in Redis: a rate no worker can have must not set every job's size.
    ['an implausibly high rate counts as no report', { workerRates: [1e9] }, 13, 'assumed'],
    ['an implausibly low rate counts as no report', { workerRates: [0.0001] }, 13, 'assumed'],
    ['an implausible rate beside a real one: the real one decides', { liveWorkers: 2, workerRates: [1e9, 125] }, 16, '1 of 2'],
    ['a small request limit', { workerRates: [2_600], maxChunkSize: 8 }, 8, 'limit'],
  ];

  it.each(table)('%s', (_name, inputs, expected, word) => {
    const decision = chooseChunkSize(ask(inputs));
    expect(decision.chunkSize).toBe(expected);
    expect(decision.source).toBe('auto');
    expect(decision.reason).toContain(word);
    expect(decision.reason.startsWith(`${expected} image`)).toBe(true);
  });

  it('keeps the per-job cost under the share whenever no cap applies', () => {
    for (const rate of [1, 3, 10, 40, 125, 400, 1_000]) {
      const { chunkSize } = chooseChunkSize(ask({ total: 1_000_000, workerRates: [rate], maxChunkSize: 100_000 }));
      const workMs = chunkSize * (1000 / rate);
      if (chunkSize < Math.floor(CHUNK_POLICY.firstResultMs / (1000 / rate)))
        expect(CHUNK_POLICY.jobCostMs / workMs).toBeLessThanOrEqual(CHUNK_POLICY.maxJobCostShare);
    }
  });

  it('keeps Redis per image under its share whenever no cap applies', () => {
    for (const rate of [0.5, 2, 4, 10, 125, 1_000]) {
      const { chunkSize } = chooseChunkSize(ask({ total: 1_000_000, workerRates: [rate], maxChunkSize: 100_000 }));
      if (chunkSize < Math.floor(CHUNK_POLICY.firstResultMs / (1000 / rate)))
        expect(CHUNK_POLICY.jobRedisUs / chunkSize).toBeLessThanOrEqual(CHUNK_POLICY.maxRedisUsPerImage);
    }
  });

  it('always gives every live worker its jobs and never exceeds the limit', () => {
    for (const total of [1, 7, 64, 1_000, 100_000]) {
      for (const workers of [1, 2, 16]) {
        const { chunkSize } = chooseChunkSize(ask({ total, liveWorkers: workers, workerRates: Array(workers).fill(5_000) }));
        expect(chunkSize).toBeGreaterThanOrEqual(1);
        expect(chunkSize).toBeLessThanOrEqual(256);
        if (total >= workers * CHUNK_POLICY.jobsPerWorker) expect(Math.ceil(total / chunkSize)).toBeGreaterThanOrEqual(workers * CHUNK_POLICY.jobsPerWorker);
      }
    }
  });
});
