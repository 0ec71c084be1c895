/**
 * How many images one job carries when the request does not say (chunkSize) and the server has no
 * DEFAULT_CHUNK_SIZE: a pure function of the model's measured rate, its live workers and the batch.
 *
 * A job costs about the same whatever it carries (BullMQ's fetch, lock, completion and the result
 * store's scripts: ~130 µs of Redis CPU and a few ms of the host's CPU). Three rules:
 *   1. floor: that cost stays under ~2 % of the job's work on the fastest worker, and under
 *      50 µs of Redis CPU per image (a slow model's images each carry a whole job's Redis cost at
 *      1 per job: the worker hardly notices, the shared Redis does). Work is counted in core-ms:
 *      a CPU worker's images/s divided by the cores its sessions use. A job's cost is CPU time
 *      taken from the same cores, so two 1-core workers at 60 img/s need the jobs one 2-core
 *      worker at 120 img/s needs (counted in wall ms, they got half the size: 5-8 images per job,
 *      0.85-0.96 of the in-process ceiling at 2,000 images on the 2-core bench machine);
 *   2. spread: every live worker still gets several jobs, so none idles while another has a backlog;
 *   3. first result: one job's work on a typical worker stays under a second (rows are stored per job).
 * The floor gives way to the two caps: a short batch or a slow model gets small jobs.
 */

export type ChunkSizeSource = 'request' | 'default' | 'auto';

export interface ChunkSizeDecision {
  chunkSize: number;
  source: ChunkSizeSource;
  /** One line saying why this size: for the batch view and the submit log. */
  reason: string;
}

export interface ChunkSizeInputs {
  /** Images in the batch. */
  total: number;
  /** Live workers of this model (whether or not they have reported a rate yet). */
  liveWorkers: number;
  /** Each live worker that has reported a rate (heartbeats). */
  workerRates: readonly WorkerRate[];
  /** The largest chunkSize a request may ask for. */
  maxChunkSize: number;
}

export interface WorkerRate {
  /** Busy-time images/s (BusyRateMeter). */
  imagesPerSecond: number;
  /** Cores its inference uses: sessions × intra-op threads on the CPU, 1 for a GPU worker (its device does the work). */
  cores: number;
}

export const CHUNK_POLICY = {
  /**
   * What one job costs the host's CPU, core-ms. Measured on the 2-core bench machine with
   * MobileNetV2: at 2,000 images, 1 image per job drained at 0.79 of the in-process rate, ~2.5 ms
   * per image more on both cores.
   */
  jobCostCoreMs: 5,
  /** Largest share of a job's work its per-job cost may take. */
  maxJobCostShare: 0.02,
  /**
   * What one job costs Redis, µs of its CPU: `npm run bench:redis-profile` measured 111-131 µs per
   * image at 1 image per job (BullMQ's add, fetch and finish plus the result store's scripts).
   */
  jobRedisUs: 130,
  /** Largest share of that a single image may carry, µs: 3+ images per job at 130 µs. */
  maxRedisUsPerImage: 50,
  /** Jobs each live worker should get at least. */
  jobsPerWorker: 4,
  /** One job's work on a typical worker stays under this, ms (its rows are stored together). */
  firstResultMs: 1_000,
  /** Per-image work assumed before any worker has reported a rate, core-ms (and wall ms): a CPU-class model. */
  assumedCoreMsPerImage: 16,
  /**
   * Reported rates outside this range, img/s, are taken as no report: a heartbeat is JSON anyone
   * with Redis access can write, and one absurd rate would otherwise set every job's size.
   */
  plausibleRate: { min: 0.01, max: 100_000 },
  /**
   * Core counts outside this range, or not whole, count as 1 core (the larger floor, which spares
   * the host and Redis): the same JSON anyone with Redis access can write.
   */
  plausibleCores: { min: 1, max: 1_024 },
} as const;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const fmt = (n: number): string => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

export function chooseChunkSize(inputs: ChunkSizeInputs, policy: typeof CHUNK_POLICY = CHUNK_POLICY): ChunkSizeDecision {
  const total = Math.max(1, Math.floor(inputs.total));
  const max = Math.max(1, Math.floor(inputs.maxChunkSize));
  const { min: minRate, max: maxRate } = policy.plausibleRate;
  const reported = inputs.workerRates.filter((w) => Number.isFinite(w.imagesPerSecond) && w.imagesPerSecond >= minRate && w.imagesPerSecond <= maxRate);
  const rates = reported.map((w) => w.imagesPerSecond);
  const workers = Math.max(1, inputs.liveWorkers, rates.length);
  const measured = rates.length > 0;
  // Work per image in core-ms: the job's cost comes out of the same cores.
  const { min: minCores, max: maxCores } = policy.plausibleCores;
  const coresOf = (w: WorkerRate): number => (Number.isInteger(w.cores) && w.cores >= minCores && w.cores <= maxCores ? w.cores : 1);
  const coreMs = (w: WorkerRate): number => (1000 * coresOf(w)) / w.imagesPerSecond;
  const fastestCoreMs = measured ? Math.min(...reported.map(coreMs)) : policy.assumedCoreMsPerImage;
  // The first result is wall time on one worker.
  const typicalMs = measured ? 1000 / median(rates) : policy.assumedCoreMsPerImage;

  const floor = Math.max(Math.ceil(policy.jobCostCoreMs / (policy.maxJobCostShare * fastestCoreMs)), Math.ceil(policy.jobRedisUs / policy.maxRedisUsPerImage));
  const spreadCap = Math.floor(total / (workers * policy.jobsPerWorker));
  const firstCap = Math.floor(policy.firstResultMs / typicalMs);
  const chunkSize = Math.max(1, Math.min(floor, spreadCap, firstCap, max));

  const basis = measured
    ? `${fmt(median(rates))} img/s per worker (${rates.length} of ${workers} worker${workers === 1 ? '' : 's'} reporting)`
    : `no worker rate reported yet, ${policy.assumedCoreMsPerImage} core-ms/image assumed (${workers} worker${workers === 1 ? '' : 's'})`;
  let rule: string;
  if (chunkSize === max && floor >= max) rule = `the ${max}-image limit (per-job cost is below 2 % at any allowed size)`;
  else if (chunkSize === floor)
    rule = `per-job cost under ${policy.maxJobCostShare * 100} % of the work and ${policy.maxRedisUsPerImage} µs of Redis per image`;
  else if (chunkSize === Math.max(1, spreadCap)) rule = `capped so each worker gets ${policy.jobsPerWorker}+ jobs of ${total} images`;
  else rule = `capped so a job's work stays under ${policy.firstResultMs} ms (first result)`;
  return { chunkSize, source: 'auto', reason: `${chunkSize} image${chunkSize === 1 ? '' : 's'}/job: ${rule}; ${basis}` };
}
