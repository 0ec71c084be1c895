/**
 * One train run, start to end, independent of BullMQ (the worker's train processor wraps it; the
 * CLI experiment calls it in-process): hash the dataset, split it by seed, extract features
 * (cache first), train the head, append it to the backbone graph, and register the merged model
 * atomically with its epoch table and lineage.
 */
import { readFile } from 'node:fs/promises';
import { AppError } from '../errors.js';
import type { ImageClassifier } from '../inference/classifier.js';
import type { ManifestInput } from '../models/manifest.js';
import { loadModel, type RegisteredModel } from '../models/registry.js';
import { writeModel } from '../models/store.js';
import { hashDataset, scanDataset } from './datasets.js';
import { backboneFingerprint, type FeatureCache } from './feature-cache.js';
import { extractFeatures } from './features.js';
import { appendHead } from './merge.js';
import { randomSplit } from './split.js';
import { trainOnFeatures } from './train-features.js';
import type { EpochRow } from './train-head.js';
import { checkTrainable, type TrainDatasetRef, type TrainProgress, type TrainRequest, type TrainResult } from './train-job.js';

export interface RunTrainingDeps {
  /** The backbone, opened with `withFeatures: true`. */
  classifier: ImageClassifier;
  /** Real path of DATA_ROOT. */
  dataRoot: string;
  modelsDir: string;
  cache: FeatureCache;
  onProgress?: (progress: TrainProgress) => void | Promise<void>;
}

export interface TrainSpec {
  trainId: string;
  request: TrainRequest;
  dataset: TrainDatasetRef;
  outputModel: string;
  /** The key that asked for it: the trained model is private to it (models/ownership.ts). */
  owner?: string;
}

const EXTRACT_SHARE = 80;

/** A model this job registered on an earlier attempt (it died after writing, before completing). */
async function alreadyRegistered(modelsDir: string, name: string, trainId: string): Promise<RegisteredModel | undefined> {
  const existing = await loadModel(modelsDir, name).catch(() => undefined);
  const lineage = existing?.manifest.lineage as { trainId?: string } | undefined;
  return lineage?.trainId === trainId ? existing : undefined;
}

async function nextVersion(modelsDir: string, name: string): Promise<number> {
  const existing = await loadModel(modelsDir, name).catch((error: unknown) => {
    if (error instanceof AppError && error.code === 'MODEL_NOT_FOUND') return undefined;
    // A broken folder of that name: start above whatever it claimed, never overwrite silently.
    throw error;
  });
  return (existing?.manifest.version ?? 0) + 1;
}

export async function runTraining(deps: RunTrainingDeps, spec: TrainSpec): Promise<TrainResult> {
  const t0 = performance.now();
  const { request } = spec;
  const backbone = deps.classifier.model;
  const { manifest: base } = backbone;
  if (!base.features) throw new AppError('MODEL_INVALID', `model "${base.name}" has no features output and cannot be a backbone`);
  const epochs: EpochRow[] = [];
  const report = (progress: Omit<TrainProgress, 'epochs'>): void | Promise<void> => deps.onProgress?.({ ...progress, epochs: [...epochs] });

  await report({ phase: 'hashing', percent: 0 });
  const dataset = await hashDataset(deps.dataRoot, await scanDataset(deps.dataRoot, spec.dataset.path));
  const itemLabels = Int32Array.from(dataset.images, (i) => i.label);
  checkTrainable(dataset.labels, itemLabels, request.validPct, request.seed);
  const split = randomSplit(itemLabels, request.validPct, request.seed);

  const extracted = await extractFeatures({
    classifier: deps.classifier,
    dataRoot: deps.dataRoot,
    paths: dataset.images.map((i) => i.path),
    hashes: dataset.contentHashes,
    cache: deps.cache,
    backbone: backboneFingerprint(backbone),
    width: base.features.size,
    onProgress: (p) => report({ phase: 'extracting', percent: Math.floor((EXTRACT_SHARE * p.done) / Math.max(1, p.total)), extracted: p }),
  });

  const {
    trained,
    train,
    valid,
    classes,
    hyperParameters,
    seconds: trainSeconds,
  } = await trainOnFeatures({
    request,
    extracted,
    labels: dataset.labels,
    itemLabels,
    split,
    onTraining: () => report({ phase: 'training', percent: EXTRACT_SHARE }),
    onEpoch: (row) => {
      epochs.push(row);
      return report({ phase: 'training', percent: EXTRACT_SHARE + Math.floor(((100 - EXTRACT_SHARE - 1) * epochs.length) / request.epochs) });
    },
  });
  const { lr, batchSize, hidden, weightDecay } = hyperParameters;

  await report({ phase: 'registering', percent: 99 });
  const previous = await alreadyRegistered(deps.modelsDir, spec.outputModel, spec.trainId);
  let version = previous?.manifest.version;
  if (version === undefined) {
    version = await nextVersion(deps.modelsDir, spec.outputModel);
    const onnx = appendHead({
      backbone: await readFile(backbone.onnxPath),
      featuresOutput: base.features.name,
      head: trained.head,
      outputName: 'probabilities',
      graphName: spec.outputModel,
      metadata: { 'hourglass.trained_from': `${base.name}@${base.version}`, 'hourglass.train_id': spec.trainId, 'hourglass.labels': dataset.labels.join(',') },
    });
    const manifest: ManifestInput = {
      name: spec.outputModel,
      version,
      description: `${request.head} head trained on dataset "${spec.dataset.name}" (${dataset.labels.length} classes, ${dataset.images.length} images) over the frozen ${base.name}@${base.version} backbone; valid accuracy ${(trained.accuracy * 100).toFixed(1)} %.`,
      input: base.input,
      output: { name: 'probabilities', kind: 'probabilities' },
      features: base.features,
      labels: dataset.labels,
      source: {
        kind: 'trained',
        description: `hourglass train job ${spec.trainId}`,
        licence: typeof base.source.licence === 'string' ? base.source.licence : undefined,
        ...(spec.owner ? { owner: spec.owner } : {}),
      },
      batching: base.batching,
      topK: Math.min(5, dataset.labels.length),
      training: {
        epochs: trained.epochs,
        accuracy: trained.accuracy,
        validLoss: trained.validLoss,
        images: { train: train.length, valid: valid.length, failed: extracted.failures.length },
      },
      lineage: {
        trainId: spec.trainId,
        baseModel: { name: base.name, version: base.version, fingerprint: backboneFingerprint(backbone) },
        dataset: { name: spec.dataset.name, path: dataset.path, hash: dataset.hash, images: dataset.images.length, classes: dataset.classes },
        seed: request.seed,
        hyperParameters: {
          head: request.head,
          hidden,
          epochs: request.epochs,
          validPct: request.validPct,
          lr,
          batchSize,
          weightDecay,
          optimiser: 'AdamW',
          schedule: 'one-cycle (linear warm-up 10 %, cosine to lr/100)',
        },
        trainedAt: new Date().toISOString(),
      },
    };
    await writeModel(deps.modelsDir, manifest, onnx);
  }
  await report({ phase: 'done', percent: 100 });

  return {
    trainId: spec.trainId,
    model: { name: spec.outputModel, version },
    baseModel: { name: base.name, version: base.version },
    dataset: {
      name: spec.dataset.name,
      path: dataset.path,
      hash: dataset.hash,
      changedSinceRegistration: spec.dataset.hash !== '' && spec.dataset.hash !== dataset.hash,
    },
    head: request.head,
    epochs: trained.epochs,
    accuracy: trained.accuracy,
    validLoss: trained.validLoss,
    images: { total: dataset.images.length, train: train.length, valid: valid.length, failed: extracted.failures.length },
    classes,
    failures: extracted.failures.slice(0, 100),
    featureCache: { hits: extracted.cached, computed: extracted.computed },
    seconds: { extract: extracted.seconds, train: trainSeconds, total: (performance.now() - t0) / 1000 },
    reusedRegistration: previous !== undefined,
  };
}
