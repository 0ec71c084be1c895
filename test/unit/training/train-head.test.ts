import { describe, expect, it } from 'vitest';
import type { EpochRow } from '@hourglass/core';
import { randomSplit, randomStream, trainHead, type TrainHeadData } from '@hourglass/core/testing';

/** Gaussian blobs: 3 classes in 16 dimensions, separable but noisy. */
function blobs(n: number, seed: number): TrainHeadData {
  const random = randomStream(seed, 7);
  const width = 16;
  const classes = 3;
  const centres = Array.from({ length: classes }, () => Array.from({ length: width }, () => random() * 4 - 2));
  const features = new Float64Array(n * width);
  const labels = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const label = r % classes;
    labels[r] = label;
    for (let i = 0; i < width; i++) features[r * width + i] = centres[label]![i]! + (random() + random() + random() - 1.5) * 2 + 10;
  }
  const split = randomSplit(labels, 0.2, seed);
  return { features, width, labels, classes, train: split.train, valid: split.valid };
}

const withoutTime = (rows: EpochRow[]) => rows.map(({ seconds: _s, ...rest }) => rest);

describe('trainHead', () => {
  it.each(['linear', 'mlp'] as const)('%s: learns separable blobs and reports one row per epoch', async (kind) => {
    const data = blobs(600, 1);
    const seen: EpochRow[] = [];
    const trained = await trainHead(data, { kind, epochs: 4, lr: 3e-3, batchSize: 32, seed: 42, hidden: 32, onEpoch: (row) => void seen.push(row) });
    expect(trained.epochs.map((e) => e.epoch)).toEqual([0, 1, 2, 3]);
    expect(seen).toEqual(trained.epochs);
    expect(trained.epochs.at(-1)!.error_rate).toBeLessThan(0.1);
    expect(trained.epochs.at(-1)!.train_loss).toBeLessThan(trained.epochs[0]!.train_loss);
    expect(trained.accuracy).toBeCloseTo(1 - trained.epochs.at(-1)!.error_rate, 12);
    for (const row of trained.epochs) expect(row.seconds).toBeGreaterThanOrEqual(0);
  });

  it('same seed → same epoch table and weights; another seed → another table', async () => {
    const data = blobs(300, 2);
    const options = { kind: 'mlp' as const, epochs: 3, lr: 1e-3, batchSize: 16, seed: 42, hidden: 8 };
    const a = await trainHead(data, options);
    const b = await trainHead(data, options);
    const c = await trainHead(data, { ...options, seed: 43 });
    expect(withoutTime(a.epochs)).toEqual(withoutTime(b.epochs));
    expect([...a.head.layers[1]!.weight]).toEqual([...b.head.layers[1]!.weight]);
    expect(withoutTime(c.epochs)).not.toEqual(withoutTime(a.epochs));
  });

  it('reads the matrix in place: float32 storage, any evaluation chunk size, rows in neither set → the same table and head', async () => {
    const data = blobs(900, 3);
    // Backbone features are float32: stored as float32 or widened to float64, they must train the same.
    const f32 = Float32Array.from(data.features);
    const options = { kind: 'mlp' as const, epochs: 2, lr: 3e-3, batchSize: 32, seed: 5, hidden: 8 };
    const reference = await trainHead({ ...data, features: Float64Array.from(f32) }, options);
    const chunked = await trainHead({ ...data, features: f32 }, { ...options, evalChunk: 7 });
    expect(withoutTime(chunked.epochs)).toEqual(withoutTime(reference.epochs));
    expect(chunked.head).toEqual(reference.head);

    // Failed images stay in the matrix but in neither set: NaN there must change nothing.
    const failed = (i: number): boolean => i % 10 === 0;
    const kept = { ...data, features: f32, train: data.train.filter((i) => !failed(i)), valid: data.valid.filter((i) => !failed(i)) };
    const holes = f32.slice();
    for (let i = 0; i < data.labels.length; i++) if (failed(i)) holes.fill(Number.NaN, i * data.width, (i + 1) * data.width);
    const clean = await trainHead(kept, options);
    const withHoles = await trainHead({ ...kept, features: holes }, options);
    expect(withoutTime(withHoles.epochs)).toEqual(withoutTime(clean.epochs));
    expect(withHoles.head).toEqual(clean.head);
    expect(Number.isFinite(clean.validLoss)).toBe(true);
  });
});
