/**
 * Feature extraction for a train job: every image through the backbone's batched inference (the
 * worker's own ImageClassifier, opened with its features output), cache first. New features are
 * written to the cache in small groups as they come, so a worker killed half-way leaves the work
 * it did for the retry. Images that cannot be decoded are skipped and reported, never fatal.
 */
import { AppError, describeError } from '../errors.js';
import { mapLimit } from '../concurrency.js';
import type { ImageClassifier } from '../inference/classifier.js';
import { resolveImagePath } from '../storage/data-root.js';
import type { FeatureCache } from './feature-cache.js';

export interface FeatureFailure {
  index: number;
  path: string;
  code: string;
  message: string;
}

export interface ExtractProgress {
  done: number;
  total: number;
  cached: number;
}

export interface ExtractRequest {
  classifier: ImageClassifier;
  /** Real path of DATA_ROOT. */
  dataRoot: string;
  /** Paths relative to DATA_ROOT. */
  paths: readonly string[];
  /** Content hash of each path (the cache key). */
  hashes: readonly string[];
  cache: FeatureCache;
  /** backboneFingerprint() of the classifier's model. */
  backbone: string;
  /** Images in flight at once; enough to fill the micro-batches. Default 32. */
  concurrency?: number;
  /** Cache writes are grouped by this many images. Default 32. */
  flushEvery?: number;
  onProgress?: (progress: ExtractProgress) => void | Promise<void>;
}

export interface ExtractResult {
  /** Per path: its features, or undefined where it failed. */
  features: Array<Float32Array | undefined>;
  failures: FeatureFailure[];
  /** Images whose features came from the cache, and those computed now. */
  cached: number;
  computed: number;
  seconds: number;
}

/** Errors that belong to one image (a retry cannot fix them): skip the image. */
function isImageError(error: unknown): error is AppError {
  return error instanceof AppError && error.isClientError;
}

export async function extractFeatures(request: ExtractRequest): Promise<ExtractResult> {
  const t0 = performance.now();
  const { paths, hashes, cache, backbone } = request;
  const total = paths.length;
  const features: Array<Float32Array | undefined> = await cache.getMany(backbone, hashes);
  const cached = features.filter(Boolean).length;
  // Same bytes under two names: compute once.
  const todo = new Map<string, number[]>();
  features.forEach((f, i) => {
    if (f) return;
    const list = todo.get(hashes[i]!);
    if (list) list.push(i);
    else todo.set(hashes[i]!, [i]);
  });

  const failures: FeatureFailure[] = [];
  let done = cached;
  let pending: Array<{ hash: string; features: Float32Array }> = [];
  const flushEvery = request.flushEvery ?? 32;
  const flush = async (): Promise<void> => {
    const batch = pending;
    pending = [];
    await cache.setMany(backbone, batch);
  };
  await request.onProgress?.({ done, total, cached });

  let lastReport = 0;
  // A failure that is not the image's (inference thread died, Redis down) stops the other lanes;
  // what was computed is still cached before it is thrown, for the retry.
  let fatal: { error: unknown } | undefined;
  await mapLimit([...todo.entries()], request.concurrency ?? 32, async ([hash, indices]) => {
    if (fatal) return;
    const first = indices[0]!;
    try {
      const file = await resolveImagePath(request.dataRoot, paths[first]!);
      const result = await request.classifier.classify(file);
      if (!result.features) throw new AppError('MODEL_INVALID', 'the classifier returned no features (open it with withFeatures)');
      for (const i of indices) features[i] = result.features;
      pending.push({ hash, features: result.features });
      if (pending.length >= flushEvery) await flush();
    } catch (error) {
      if (!isImageError(error)) {
        fatal ??= { error };
        return;
      }
      for (const i of indices) failures.push({ index: i, path: paths[i]!, code: error.code, message: describeError(error) });
    }
    done += indices.length;
    if (request.onProgress && (done === total || performance.now() - lastReport > 250)) {
      lastReport = performance.now();
      await request.onProgress({ done, total, cached });
    }
  });
  await flush();
  if (fatal) throw fatal.error;
  failures.sort((a, b) => a.index - b.index);
  return { features, failures, cached, computed: todo.size - new Set(failures.map((f) => hashes[f.index])).size, seconds: (performance.now() - t0) / 1000 };
}
