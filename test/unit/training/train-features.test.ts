/**
 * trainOnFeatures, the step of a train job after extraction: failed rows (present = 0) leave both
 * sides of the split, the request's defaults are filled in, and a class left without a training or
 * validation image is DATASET_INVALID with the per-class counts.
 */
import { describe, expect, it } from 'vitest';
import { AppError, type TrainRequest } from '@hourglass/core';
import { DEFAULT_BATCH_SIZE, DEFAULT_LR, DEFAULT_WEIGHT_DECAY, randomSplit, randomStream, trainOnFeatures, type ExtractResult } from '@hourglass/core/testing';

const WIDTH = 6;
const LABELS = ['a', 'b', 'c'];

/** 60 rows, 20 per class, class centres far apart; `failed` rows are zeros marked absent, as extraction leaves them. */
function extracted(failed: (i: number) => boolean): { result: ExtractResult; itemLabels: Int32Array } {
  const random = randomStream(4, 1);
  const n = 60;
  const itemLabels = Int32Array.from({ length: n }, (_, i) => i % 3);
  const features = new Float32Array(n * WIDTH);
  const present = new Uint8Array(n);
  const failures: ExtractResult['failures'] = [];
  for (let i = 0; i < n; i++) {
    if (failed(i)) {
      failures.push({ index: i, path: `x/${i}.jpg`, code: 'IMAGE_DECODE_FAILED', message: 'broken' });
      continue;
    }
    present[i] = 1;
    for (let k = 0; k < WIDTH; k++) features[i * WIDTH + k] = (k % 3 === itemLabels[i]! ? 5 : 0) + random();
  }
  return { result: { features, width: WIDTH, present, failures, cached: 0, computed: n - failures.length, seconds: 0 }, itemLabels };
}

const request: TrainRequest = { baseModel: 'm', dataset: 'd', epochs: 2, validPct: 0.25, seed: 42, head: 'linear' };

describe('trainOnFeatures', () => {
  it('trains on the present rows only, with the request defaults filled in', async () => {
    const failed = (i: number): boolean => i === 7 || i === 30;
    const { result, itemLabels } = extracted(failed);
    const split = randomSplit(itemLabels, request.validPct, request.seed);
    const out = await trainOnFeatures({ request, extracted: result, labels: LABELS, itemLabels, split });
    expect(out.train).toEqual(split.train.filter((i) => !failed(i)));
    expect(out.valid).toEqual(split.valid.filter((i) => !failed(i)));
    expect(out.train.length + out.valid.length).toBe(58);
    expect(out.classes.map((c) => c.total)).toEqual([19, 19, 20]); // 30 is an a, 7 a b
    expect(out.hyperParameters).toEqual({ lr: DEFAULT_LR.linear, batchSize: DEFAULT_BATCH_SIZE, hidden: undefined, weightDecay: DEFAULT_WEIGHT_DECAY });
    expect(out.trained.epochs).toHaveLength(2);
    expect(out.trained.accuracy).toBe(1);
  });

  it('a class whose validation images all failed is DATASET_INVALID, before any training', async () => {
    const { itemLabels } = extracted(() => false);
    const split = randomSplit(itemLabels, request.validPct, request.seed);
    const lost = new Set(split.valid.filter((i) => itemLabels[i] === 1));
    const { result } = extracted((i) => lost.has(i));
    let trained = false;
    const error = await trainOnFeatures({ request, extracted: result, labels: LABELS, itemLabels, split, onTraining: () => void (trained = true) }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('DATASET_INVALID');
    expect((error as AppError).message).toContain('class(es) b');
    expect(trained).toBe(false);
  });
});
