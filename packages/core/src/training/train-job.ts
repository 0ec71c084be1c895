/**
 * What a train job is: the request a client posts, the data its BullMQ job carries, the progress
 * it reports and the result it returns. A job goes to `train-<baseModel>`, served by the worker
 * processes of that backbone (so a GPU worker extracts the features on its GPU).
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { Queue, type ConnectionOptions } from 'bullmq';
import { AppError } from '../errors.js';
import { modelNameSchema } from '../models/manifest.js';
import type { DatasetClass } from './datasets.js';
import type { FeatureFailure, ExtractProgress } from './features.js';
import { randomSplit, splitCounts, type ClassSplitCount } from './split.js';
import type { EpochRow } from './train-head.js';

export const trainRequestSchema = z
  .object({
    /** A registered model with a `features` output: the frozen backbone. */
    baseModel: modelNameSchema,
    /** A registered dataset name, or a dataset folder directly under DATA_ROOT. */
    dataset: z.string().min(1).max(256),
    epochs: z.number().int().min(1).max(200).default(3),
    /** Share of the images held out for validation (fastai's valid_pct). */
    validPct: z.number().gt(0).max(0.9).default(0.2),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(42),
    /** Peak learning rate of the one-cycle schedule. Default 3e-3. */
    lr: z.number().positive().max(10).optional(),
    /** Mini-batch size. Default 64. */
    batchSize: z.number().int().min(1).max(8192).optional(),
    head: z.enum(['linear', 'mlp']).default('linear'),
    /** Hidden width of the mlp head. Default 256. */
    hidden: z.number().int().min(2).max(4096).optional(),
    /** Decoupled weight decay (AdamW). Default 0.01. */
    weightDecay: z.number().min(0).max(1).optional(),
    /** Name of the produced model. Default `<baseModel>-<dataset>`. */
    name: modelNameSchema.optional(),
  })
  .strict();

export type TrainRequest = z.infer<typeof trainRequestSchema>;
export interface TrainDatasetRef {
  name: string;
  /** Folder relative to DATA_ROOT. */
  path: string;
  /** Content hash recorded at registration ('' for an unregistered folder); the job re-hashes and reports a change. */
  hash: string;
  classes: DatasetClass[];
}

export interface TrainJobData {
  trainId: string;
  request: TrainRequest;
  dataset: TrainDatasetRef;
  /** The produced model's name. */
  outputModel: string;
  owner: string;
  createdAt: number;
}

export type TrainPhase = 'queued' | 'hashing' | 'extracting' | 'training' | 'registering' | 'done';

export interface TrainProgress {
  phase: TrainPhase;
  /** 0-100 over the whole job (extraction ~ 80 %, training ~ 20 %). */
  percent: number;
  extracted?: ExtractProgress;
  epochs: EpochRow[];
}

export interface TrainResult {
  trainId: string;
  model: { name: string; version: number };
  baseModel: { name: string; version: number };
  dataset: { name: string; path: string; hash: string; changedSinceRegistration: boolean };
  head: 'linear' | 'mlp';
  epochs: EpochRow[];
  accuracy: number;
  validLoss: number;
  images: { total: number; train: number; valid: number; failed: number };
  classes: ClassSplitCount[];
  /** Images that could not be decoded (first 100), skipped. */
  failures: FeatureFailure[];
  featureCache: { hits: number; computed: number };
  seconds: { extract: number; train: number; total: number };
  /** True when an earlier attempt of this job had already registered the model. */
  reusedRegistration: boolean;
}

/** `hashTagged` (a Redis Cluster): the name is a {hash tag}, so the queue's keys share one slot. */
export const trainQueueName = (model: string, hashTagged = false): string => (hashTagged ? `{train-${model}}` : `train-${model}`);

/** A worker killed mid-job is recovered by BullMQ's stalled-job check; these cover thrown failures. */
export const trainJobOptions = {
  attempts: 2,
  backoff: { type: 'exponential' as const, delay: 2_000 },
};

export function createTrainQueue(model: string, connection: ConnectionOptions, prefix: string, hashTagged = false): Queue<TrainJobData> {
  return new Queue<TrainJobData>(trainQueueName(model, hashTagged), { connection, prefix });
}

export function newTrainId(): string {
  // Never all digits and never ':' (BullMQ job id rules); sortable by time.
  return `t${Date.now().toString(36)}${randomBytes(6).toString('hex')}`;
}

export const TRAIN_ID = /^t[a-z0-9]{8,40}$/;

/** `<baseModel>-<dataset>` made a valid model name (lower case, [a-z0-9._-], ≤ 64 characters). */
export function outputModelName(baseModel: string, dataset: string): string {
  const datasetPart = dataset
    .split('/')
    .filter(Boolean)
    .at(-1)!
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-._]+|[-._]+$/g, '');
  const name = `${baseModel}-${datasetPart || 'dataset'}`.slice(0, 64).replace(/[-._]+$/g, '');
  return modelNameSchema.parse(name);
}

/**
 * Checks that a dataset can be trained on: at least two classes, and every class with at least one
 * training and one validation image (the split is stratified, so: ≥ 2 images). DATASET_INVALID
 * (400) with the per-class counts.
 */
export function checkTrainable(labels: readonly string[], itemLabels: ArrayLike<number>, validPct: number, seed: number): ClassSplitCount[] {
  if (labels.length < 2) {
    throw new AppError('DATASET_INVALID', `a dataset needs at least 2 classes (class folders), found ${labels.length}`, {
      details: { classes: labels.map((label) => ({ label })) },
    });
  }
  const split = randomSplit(itemLabels, validPct, seed);
  const counts = splitCounts(labels, itemLabels, split);
  const short = counts.filter((c) => c.train < 1 || c.valid < 1);
  if (short.length > 0) {
    throw new AppError(
      'DATASET_INVALID',
      `every class needs at least 2 images (one to train on, one to validate); ${short.length} class(es) have fewer: ${short
        .slice(0, 5)
        .map((c) => `${c.label} (${c.total} image${c.total === 1 ? '' : 's'})`)
        .join(', ')}`,
      { details: { classes: counts } },
    );
  }
  return counts;
}
