import { describe, expect, it } from 'vitest';
import { CHUNK_POLICY, chooseChunkSize, type ChunkSizeInputs, type WorkerRate } from '@hourglass/core/testing';

const ask = (extra: Partial<ChunkSizeInputs>): ChunkSizeInputs => ({ total: 10_000, liveWorkers: 1, workerRates: [], maxChunkSize: 256, ...extra });
/** A worker's heartbeat rate: images/s on `cores` cores (1 for a GPU worker). */
const at = (imagesPerSecond: number, cores = 1): WorkerRate => ({ imagesPerSecond, cores });

describe('chooseChunkSize', () => {
  // The floor is ceil(jobCostCoreMs / (2 % × core-ms per image)) = ceil(5 × rate / (20 × cores)) = ceil(rate / (4 × cores)).
  // [case, inputs, expected size, a word the reason must contain]
  const table: Array<[string, Partial<ChunkSizeInputs>, number, string]> = [
    // 125 img/s on 2 cores = 16 core-ms/image: 5 core-ms per job ≤ 2 % needs ceil(5 / 0.32) = 16 images.
    ['MobileNetV2 on a 2-core CPU worker, large batch', { workerRates: [at(125, 2)] }, 16, '2 %'],
    // The same work per image on 1 core each: the jobs one 2-core worker gets (counted in wall ms, half of it).
    ['two 1-core workers get the jobs one 2-core worker at twice the rate gets', { liveWorkers: 2, workerRates: [at(60), at(60)] }, 15, '2 %'],
    ['one 2-core worker at twice the rate', { workerRates: [at(120, 2)] }, 15, '2 %'],
    ['two CPU workers, the fastest per core decides the floor', { liveWorkers: 2, workerRates: [at(100), at(125)] }, 32, '2 %'],
    // 2,000 images over 2 workers: 32/job still leaves 31 jobs each.
    ['MobileNetV2, 2,000 images, 2 one-core workers', { total: 2_000, liveWorkers: 2, workerRates: [at(125), at(125)] }, 32, '2 %'],
    // 4 img/s (250 ms/image): one image is 50× a job's cost, but at 1 per job each image would
    // carry 130 µs of Redis: 3 per job keeps it under 50 µs (the first-result cap allows 4).
    ['a slow ViT-sized model: the Redis floor', { workerRates: [at(4, 2)] }, 3, 'µs of Redis'],
    // 1 img/s: the first-result cap (1 image per second of work) wins over the Redis floor.
    ['a very slow model: the first result caps the Redis floor', { workerRates: [at(1)] }, 1, 'first result'],
    // 2,600 img/s (LeViT on a GPU, its device does the work: 1 core): the floor (650) is above the limit.
    ['a GPU worker: the request limit caps it', { workerRates: [at(2_600)] }, 256, 'limit'],
    // A short batch: 40 images over 2 workers × 4 jobs each = 5 per job.
    ['a short batch on fast workers: spread over the workers', { total: 40, liveWorkers: 2, workerRates: [at(2_600), at(2_600)] }, 5, 'each worker'],
    ['one image', { total: 1, workerRates: [at(2_600)] }, 1, 'each worker'],
    // 20 img/s on 1 core = 50 core-ms/image: the floor is 5, the first-result cap 20.
    ['a mid-speed model', { workerRates: [at(20)] }, 5, '2 %'],
    // The floor wants 32 at 125 img/s but a 1 s first job allows only 1000/250 = 4 at a median of 4 img/s.
    ['one fast and two slow workers: the first result caps', { liveWorkers: 3, workerRates: [at(125), at(4), at(4)] }, 4, 'first result'],
    // No rates: 16 core-ms assumed → ceil(5 / 0.32) = 16.
    ['no worker has reported a rate yet', { workerRates: [] }, 16, 'assumed'],
    ['no live worker at all', { liveWorkers: 0, workerRates: [] }, 16, 'assumed'],
    ['nonsense rates are ignored', { workerRates: [at(Number.NaN), at(-5), at(0), at(Number.POSITIVE_INFINITY)] }, 16, 'assumed'],
    // A heartbeat is JSON in Redis: a rate no worker can have must not set every job's size.
    ['an implausibly high rate counts as no report', { workerRates: [at(1e9)] }, 16, 'assumed'],
    ['an implausibly low rate counts as no report', { workerRates: [at(0.0001)] }, 16, 'assumed'],
    ['an implausible rate beside a real one: the real one decides', { liveWorkers: 2, workerRates: [at(1e9), at(125)] }, 32, '1 of 2'],
    // A core count no worker can have counts as 1 core (the larger floor: Redis and the host are spared).
    ['nonsense core counts count as one core', { workerRates: [at(125, 0)] }, 32, '2 %'],
    ['a fractional core count counts as one core', { workerRates: [at(125, 1.5)] }, 32, '2 %'],
    ['an absurd core count counts as one core', { workerRates: [at(125, 1e9)] }, 32, '2 %'],
    ['a small request limit', { workerRates: [at(2_600)], maxChunkSize: 8 }, 8, 'limit'],
  ];

  it.each(table)('%s', (_name, inputs, expected, word) => {
    const decision = chooseChunkSize(ask(inputs));
    expect(decision.chunkSize).toBe(expected);
    expect(decision.source).toBe('auto');
    expect(decision.reason).toContain(word);
    expect(decision.reason.startsWith(`${expected} image`)).toBe(true);
  });

  it('keeps the per-job cost under the share of the work in core-ms whenever no cap applies', () => {
    for (const cores of [1, 2, 4])
      for (const rate of [1, 3, 10, 40, 125, 400, 1_000]) {
        const { chunkSize } = chooseChunkSize(ask({ total: 1_000_000, workerRates: [at(rate, cores)], maxChunkSize: 100_000 }));
        const workCoreMs = chunkSize * ((1000 * cores) / rate);
        if (chunkSize < Math.floor(CHUNK_POLICY.firstResultMs / (1000 / rate)))
          expect(CHUNK_POLICY.jobCostCoreMs / workCoreMs).toBeLessThanOrEqual(CHUNK_POLICY.maxJobCostShare);
      }
  });

  it('keeps Redis per image under its share whenever no cap applies', () => {
    for (const rate of [0.5, 2, 4, 10, 125, 1_000]) {
      const { chunkSize } = chooseChunkSize(ask({ total: 1_000_000, workerRates: [at(rate)], maxChunkSize: 100_000 }));
      if (chunkSize < Math.floor(CHUNK_POLICY.firstResultMs / (1000 / rate)))
        expect(CHUNK_POLICY.jobRedisUs / chunkSize).toBeLessThanOrEqual(CHUNK_POLICY.maxRedisUsPerImage);
    }
  });

  it('always gives every live worker its jobs and never exceeds the limit', () => {
    for (const total of [1, 7, 64, 1_000, 100_000]) {
      for (const workers of [1, 2, 16]) {
        const { chunkSize } = chooseChunkSize(ask({ total, liveWorkers: workers, workerRates: Array.from({ length: workers }, () => at(5_000)) }));
        expect(chunkSize).toBeGreaterThanOrEqual(1);
        expect(chunkSize).toBeLessThanOrEqual(256);
        if (total >= workers * CHUNK_POLICY.jobsPerWorker) expect(Math.ceil(total / chunkSize)).toBeGreaterThanOrEqual(workers * CHUNK_POLICY.jobsPerWorker);
      }
    }
  });
});
