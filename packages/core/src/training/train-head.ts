/**
 * Trains a head on cached features: standardise with the training rows' statistics, then
 * mini-batch AdamW on softmax cross-entropy with a one-cycle learning rate, `epochs` passes, one
 * row of the fastai-style table per epoch. Deterministic for a seed: initial weights and batch
 * order come from seeded streams, and the arithmetic runs in a fixed order.
 *
 * The feature matrix is only read: each mini-batch (and each chunk of the validation set) is
 * gathered and standardised on its own, so no set is ever copied whole (the float32 matrix of a
 * 200,000-image dataset is already 1-1.6 GB).
 */
import { Adam, oneCycleLr } from './adam.js';
import {
  accumulateLoss,
  fitStandardiser,
  foldStandardiser,
  initHead,
  lossAndGradients,
  standardiseRows,
  type FeatureMatrix,
  type Head,
  type HeadKind,
  type LossStats,
  type Standardiser,
} from './head.js';
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
  /** Row-major [rows × width] features of every item (train and valid); rows in neither are never read. */
  features: FeatureMatrix;
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
  /** Validation rows evaluated at once, default 1024: bounds memory, never changes a result. */
  evalChunk?: number;
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
/** 1,024 rows × 2,048 features standardised = 16 MB in float64 at a time. */
export const DEFAULT_EVAL_CHUNK = 1024;

const INIT_STREAM = 2;
const SHUFFLE_STREAM = 3;

function gatherLabels(labels: ArrayLike<number>, rows: ArrayLike<number>): Int32Array {
  const out = new Int32Array(rows.length);
  for (let r = 0; r < rows.length; r++) out[r] = labels[rows[r]!]!;
  return out;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Mean cross-entropy and errors over `rows`, a chunk at a time (yielding between chunks). */
async function evaluateRows(head: Head, data: TrainHeadData, rows: readonly number[], s: Standardiser, chunk: number): Promise<LossStats> {
  const total = { loss: 0, errors: 0 };
  for (let from = 0; from < rows.length; from += chunk) {
    const part = rows.slice(from, from + chunk);
    accumulateLoss(head, standardiseRows(data.features, part, s), gatherLabels(data.labels, part), part.length, total);
    await yieldToEventLoop();
  }
  return { loss: rows.length > 0 ? total.loss / rows.length : 0, errors: total.errors };
}

export async function trainHead(data: TrainHeadData, options: TrainHeadOptions): Promise<TrainedHead> {
  const { width, classes } = data;
  if (data.train.length === 0) throw new RangeError('no training rows');
  if (data.features.length < data.labels.length * width) throw new RangeError(`${data.features.length} features for ${data.labels.length} rows of ${width}`);
  const standardiser = fitStandardiser(data.features, data.train.length, width, data.train);

  const head = initHead(
    { kind: options.kind, inputs: width, classes, ...(options.hidden ? { hidden: options.hidden } : {}) },
    randomStream(options.seed, INIT_STREAM),
  );
  const params = head.layers.flatMap((l) => [l.weight, l.bias]);
  const adam = new Adam(params, { weightDecay: options.weightDecay ?? DEFAULT_WEIGHT_DECAY });
  const shuffle = randomStream(options.seed, SHUFFLE_STREAM);
  const n = data.train.length;
  const batchSize = Math.max(1, Math.min(options.batchSize, n));
  const stepsPerEpoch = Math.ceil(n / batchSize);
  const totalSteps = stepsPerEpoch * options.epochs;
  const yieldEvery = Math.max(1, options.yieldEvery ?? 1);
  const evalChunk = Math.max(1, options.evalChunk ?? DEFAULT_EVAL_CHUNK);
  const batchRows = new Uint32Array(batchSize);

  const epochs: EpochRow[] = [];
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const t0 = performance.now();
    const order = permutation(n, shuffle);
    let lossSum = 0;
    for (let b = 0; b < stepsPerEpoch; b++) {
      const from = b * batchSize;
      const to = Math.min(n, from + batchSize);
      // Rows of the matrix, in this epoch's shuffled order of the training rows.
      const rows = batchRows.subarray(0, to - from);
      for (let r = from; r < to; r++) rows[r - from] = data.train[order[r]!]!;
      const x = standardiseRows(data.features, rows, standardiser);
      const y = gatherLabels(data.labels, rows);
      const { loss, gradients } = lossAndGradients(head, x, y, to - from);
      lossSum += loss * (to - from);
      adam.step(
        gradients.layers.flatMap((g) => [g.weight, g.bias]),
        oneCycleLr(options.lr, adam.steps, totalSteps),
      );
      if ((b + 1) % yieldEvery === 0) await yieldToEventLoop();
    }
    const valid = await evaluateRows(head, data, data.valid, standardiser, evalChunk);
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
