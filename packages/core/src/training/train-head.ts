/**
 * Trains a head on cached features: standardise with the training rows' statistics, then
 * mini-batch AdamW on softmax cross-entropy with a one-cycle learning rate, `epochs` passes, one
 * row of the fastai-style table per epoch. Deterministic for a seed: initial weights and batch
 * order come from seeded streams, and the arithmetic runs in a fixed order.
 */
import { Adam, oneCycleLr } from './adam.js';
import { evaluate, fitStandardiser, foldStandardiser, initHead, lossAndGradients, standardise, type Head, type HeadKind } from './head.js';
import { permutation, randomStream } from './random.js';

/** One row of the per-epoch table (fastai's column names; epochs count from 0 as fastai prints them). */
export interface EpochRow {
  epoch: number;
  train_loss: number;
  valid_loss: number;
  error_rate: number;
  seconds: number;
}

export interface TrainHeadData {
  /** Row-major [rows × width] features of every item (train and valid). */
  features: Float64Array;
  width: number;
  /** Class index of every item. */
  labels: ArrayLike<number>;
  classes: number;
  train: readonly number[];
  valid: readonly number[];
}

export interface TrainHeadOptions {
  kind: HeadKind;
  epochs: number;
  lr: number;
  batchSize: number;
  seed: number;
  hidden?: number;
  weightDecay?: number;
  /** Called after each epoch (progress reports). */
  onEpoch?: (row: EpochRow) => void | Promise<void>;
  /** Yield to the event loop every this many mini-batches (BullMQ lock renewal), default 1. */
  yieldEvery?: number;
}

export interface TrainedHead {
  /** Takes raw backbone features (standardisation folded in), float32-exact weights. */
  head: Head;
  epochs: EpochRow[];
  /** 1 - the last epoch's error_rate. */
  accuracy: number;
  validLoss: number;
}

export const DEFAULT_LR = { linear: 3e-3, mlp: 3e-3 } as const;
export const DEFAULT_BATCH_SIZE = 64;
export const DEFAULT_WEIGHT_DECAY = 0.01;

const INIT_STREAM = 2;
const SHUFFLE_STREAM = 3;

function gather(x: Float64Array, width: number, rows: ArrayLike<number>, from: number, to: number): Float64Array {
  const out = new Float64Array((to - from) * width);
  for (let r = from; r < to; r++) out.set(x.subarray(rows[r]! * width, (rows[r]! + 1) * width), (r - from) * width);
  return out;
}

function gatherLabels(labels: ArrayLike<number>, rows: ArrayLike<number>, from: number, to: number): Int32Array {
  const out = new Int32Array(to - from);
  for (let r = from; r < to; r++) out[r - from] = labels[rows[r]!]!;
  return out;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function trainHead(data: TrainHeadData, options: TrainHeadOptions): Promise<TrainedHead> {
  const { width, classes } = data;
  if (data.train.length === 0) throw new RangeError('no training rows');
  const trainX = gather(data.features, width, data.train, 0, data.train.length);
  const standardiser = fitStandardiser(trainX, data.train.length, width);
  const xTrain = standardise(trainX, data.train.length, standardiser);
  const yTrain = gatherLabels(data.labels, data.train, 0, data.train.length);
  const xValid = standardise(gather(data.features, width, data.valid, 0, data.valid.length), data.valid.length, standardiser);
  const yValid = gatherLabels(data.labels, data.valid, 0, data.valid.length);

  const head = initHead({ kind: options.kind, inputs: width, classes, ...(options.hidden ? { hidden: options.hidden } : {}) }, randomStream(options.seed, INIT_STREAM));
  const params = head.layers.flatMap((l) => [l.weight, l.bias]);
  const adam = new Adam(params, { weightDecay: options.weightDecay ?? DEFAULT_WEIGHT_DECAY });
  const shuffle = randomStream(options.seed, SHUFFLE_STREAM);
  const n = data.train.length;
  const batchSize = Math.max(1, Math.min(options.batchSize, n));
  const stepsPerEpoch = Math.ceil(n / batchSize);
  const totalSteps = stepsPerEpoch * options.epochs;
  const yieldEvery = Math.max(1, options.yieldEvery ?? 1);

  const epochs: EpochRow[] = [];
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const t0 = performance.now();
    const order = permutation(n, shuffle);
    let lossSum = 0;
    for (let b = 0; b < stepsPerEpoch; b++) {
      const from = b * batchSize;
      const to = Math.min(n, from + batchSize);
      const x = gather(xTrain, width, order, from, to);
      const y = gatherLabels(yTrain, order, from, to);
      const { loss, gradients } = lossAndGradients(head, x, y, to - from);
      lossSum += loss * (to - from);
      adam.step(gradients.layers.flatMap((g) => [g.weight, g.bias]), oneCycleLr(options.lr, adam.steps, totalSteps));
      if ((b + 1) % yieldEvery === 0) await yieldToEventLoop();
    }
    const valid = evaluate(head, xValid, yValid, data.valid.length);
    const row: EpochRow = {
      epoch,
      train_loss: lossSum / n,
      valid_loss: valid.loss,
      error_rate: data.valid.length > 0 ? valid.errors / data.valid.length : 0,
      seconds: (performance.now() - t0) / 1000,
    };
    epochs.push(row);
    await options.onEpoch?.(row);
  }
  const last = epochs.at(-1);
  return {
    head: foldStandardiser(head, standardiser),
    epochs,
    accuracy: last ? 1 - last.error_rate : 0,
    validLoss: last?.valid_loss ?? 0,
  };
}
