/**
 * Warms a fleet before its measured drains: every worker's sessions have run, its BullMQ loop is
 * fetching, and its heartbeat carries a busy rate, which the API sizes the next batch's jobs by.
 *
 * Rounds run at the default (auto) job size, as the drains do, and double in size until every
 * worker reports a rate: a worker's meter pools its first rate over 2 s of busy time (see
 * BusyRateMeter), so one fixed warm-up of 128 images left a 2 × 1 MobileNetV2 worker with no rate,
 * or, before the meter pooled, a rate read off one window (44.5 img/s for a worker that drained
 * 116), and the first measured drain was sized from that.
 */
import type { Queue } from 'bullmq';
import type { ClassifyJobData, Keys, Redis, RegisteredModel } from '@hourglass/core';
import { corpusItems, drainBatch, type Corpus, type DrainResult } from '@hourglass/core/bench';
import { waitForWorkerRates } from './fleet.js';

export const WARM_UP = {
  /** No more rounds once the warm-up has taken this long: the drains then size from what is reported. */
  limitMs: 60_000,
  /** The wait for heartbeats after a round: the harness's workers beat every second. */
  heartbeatWaitMs: 3_000,
  /** The largest round, images: 16 times the first at most. */
  maxRoundFactor: 16,
} as const;

export interface WarmUpOptions {
  redis: Redis;
  keys: Keys;
  queue: Queue<ClassifyJobData>;
  model: RegisteredModel;
  corpus: Pick<Corpus, 'files'>;
  workers: number;
  /** The first round's images; later rounds double. */
  firstImages: number;
  /** Each round's batch id (the caller forgets them at the end: a completing worker reads its batch once more). */
  onBatch?: (batchId: string) => void;
}

export interface WarmUp {
  /** The first round: its wall time is the fixed cost a prediction starts from. */
  first: DrainResult;
  rounds: number;
  images: number;
  wallMs: number;
  /** The heartbeat rates after the last round (fewer than the workers when the limit came first). */
  rates: number[];
}

export async function warmUntilRated(options: WarmUpOptions): Promise<WarmUp> {
  const { redis, keys, queue, model, corpus, workers } = options;
  const name = model.manifest.name;
  const started = performance.now();
  let first: DrainResult | undefined;
  let rounds = 0;
  let images = 0;
  let size = Math.max(1, options.firstImages);
  for (;;) {
    const round = await drainBatch({ redis, keys, queue, model, items: corpusItems(corpus, size), chunkSize: 'auto', keepKeys: true });
    options.onBatch?.(round.batchId);
    first ??= round;
    rounds++;
    images += round.images;
    const rates = await waitForWorkerRates(redis, keys, name, workers, WARM_UP.heartbeatWaitMs);
    const wallMs = performance.now() - started;
    if (rates.length >= workers || wallMs >= WARM_UP.limitMs) return { first, rounds, images, wallMs, rates };
    size = Math.min(size * 2, options.firstImages * WARM_UP.maxRoundFactor);
  }
}
