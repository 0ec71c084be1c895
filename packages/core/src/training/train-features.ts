/**
 * The part of a train run after feature extraction: drop the images that failed from both sides
 * of the split, check every class can still be learnt and measured, and train the head with the
 * request's hyper-parameters (defaults filled in). Its own function so that
 * scripts/train-memory.mjs measures exactly what a train job runs, without a backbone.
 */
import { AppError } from '../errors.js';
import type { ExtractResult } from './features.js';
import { DEFAULT_MLP_HIDDEN } from './head.js';
import { splitCounts, type ClassSplitCount, type Split } from './split.js';
import { DEFAULT_BATCH_SIZE, DEFAULT_LR, DEFAULT_WEIGHT_DECAY, trainHead, type EpochRow, type TrainedHead } from './train-head.js';
import type { TrainRequest } from './train-job.js';

export interface TrainOnFeaturesInput {
  request: TrainRequest;
  extracted: ExtractResult;
  /** Class names; `itemLabels[i]` indexes them. */
  labels: readonly string[];
  itemLabels: Int32Array;
  split: Split;
  /** Called once the split is checked, before the head trains (the job's 'training' progress). */
  onTraining?: () => void | Promise<void>;
  onEpoch?: (row: EpochRow) => void | Promise<void>;
}

export interface TrainOnFeaturesResult {
  trained: TrainedHead;
  /** The split without the failed images. */
  train: number[];
  valid: number[];
  classes: ClassSplitCount[];
  hyperParameters: { lr: number; batchSize: number; hidden: number | undefined; weightDecay: number };
  /** Wall time from onTraining to the trained head. */
  seconds: number;
}

export async function trainOnFeatures(input: TrainOnFeaturesInput): Promise<TrainOnFeaturesResult> {
  const { request, extracted, labels, itemLabels, split } = input;
  // Images that failed to decode leave both sets; every class must still be learnable.
  const ok = (i: number): boolean => extracted.present[i] === 1;
  const train = split.train.filter(ok);
  const valid = split.valid.filter(ok);
  const classes = splitCounts(labels, itemLabels, { train, valid });
  const short = classes.filter((c) => c.train < 1 || c.valid < 1);
  if (short.length > 0) {
    throw new AppError(
      'DATASET_INVALID',
      `after skipping ${extracted.failures.length} undecodable image(s), class(es) ${short.map((c) => c.label).join(', ')} have no training or validation image`,
      {
        details: { classes, failures: extracted.failures.slice(0, 20) },
      },
    );
  }

  const lr = request.lr ?? DEFAULT_LR[request.head];
  const batchSize = request.batchSize ?? DEFAULT_BATCH_SIZE;
  const hidden = request.head === 'mlp' ? (request.hidden ?? DEFAULT_MLP_HIDDEN) : undefined;
  const weightDecay = request.weightDecay ?? DEFAULT_WEIGHT_DECAY;
  await input.onTraining?.();
  const t0 = performance.now();
  const trained = await trainHead(
    // The extracted matrix itself: failed rows are zeros, and in neither set, so never read.
    { features: extracted.features, width: extracted.width, labels: itemLabels, classes: labels.length, train, valid },
    {
      kind: request.head,
      epochs: request.epochs,
      lr,
      batchSize,
      seed: request.seed,
      weightDecay,
      ...(hidden ? { hidden } : {}),
      ...(input.onEpoch ? { onEpoch: input.onEpoch } : {}),
    },
  );
  return { trained, train, valid, classes, hyperParameters: { lr, batchSize, hidden, weightDecay }, seconds: (performance.now() - t0) / 1000 };
}
