/**
 * Feature extraction for a train job: every image through the backbone's batched inference (the
 * worker's own ImageClassifier, opened with its features output), cache first. New features are
 * written to the cache in small groups as they come, so a worker killed half-way leaves the work
 * it did for the retry. Images that cannot be decoded are skipped and reported, never fatal.
 *
 * The features land in ONE preallocated row-major float32 matrix, the only copy a train job keeps
 * (200,000 images × 2,048 features = 1.6 GB; one array per image, then a float64 copy for training,
 * was several times that). The cache is read a slice at a time for the same reason.
 */
import { AppError, describeError } from '../errors.js';
import { isNonRetryable } from '../retry-policy.js';
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
  /** Features per image (the backbone manifest's features.size): the width of a matrix row. */
  width: number;
  /** Images in flight at once; enough to fill the micro-batches. Default 32. */
  concurrency?: number;
  /** Cache writes are grouped by this many images. Default 32. */
  flushEvery?: number;
  onProgress?: (progress: ExtractProgress) => void | Promise<void>;
}

export interface ExtractResult {
  /** Row-major [paths.length × width]: row i holds image i's features, zeros where it failed. */
  features: Float32Array;
  width: number;
  /** 1 where row i holds features, 0 where image i failed (listed in failures). */
  present: Uint8Array;
  failures: FeatureFailure[];
  /** Images whose features came from the cache, and those computed now. */
  cached: number;
  computed: number;
  seconds: number;
}

/** Hashes per cache read: the per-image arrays a read returns live only until copied into the matrix. */
const CACHE_READ_SLICE = 500;

export async function extractFeatures(request: ExtractRequest): Promise<ExtractResult> {
  const t0 = performance.now();
  const { paths, hashes, cache, backbone, width } = request;
  const total = paths.length;
  const features = new Float32Array(total * width);
  const present = new Uint8Array(total);
  const fill = (i: number, f: Float32Array): void => {
    features.set(f, i * width);
    present[i] = 1;
  };
  let cached = 0;
  for (let from = 0; from < total; from += CACHE_READ_SLICE) {
    const hits = await cache.getMany(backbone, hashes.slice(from, from + CACHE_READ_SLICE));
    hits.forEach((f, k) => {
      // An entry of another width is not this backbone's (or is damaged): recompute it.
      if (f?.length !== width) return;
      fill(from + k, f);
      cached++;
    });
  }
  // Same bytes under two names: compute once.
  const todo = new Map<string, number[]>();
  for (let i = 0; i < total; i++) {
    if (present[i]) continue;
    const list = todo.get(hashes[i]!);
    if (list) list.push(i);
    else todo.set(hashes[i]!, [i]);
  }

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
  // A failure that is not the image's (inference thread died, Redis down, a model without the
  // features it claims) stops the other lanes; what was computed is still cached before it is
  // thrown, for the retry.
  let fatal: { error: unknown } | undefined;
  await mapLimit([...todo.entries()], request.concurrency ?? 32, async ([hash, indices]) => {
    if (fatal) return;
    const first = indices[0]!;
    try {
      const file = await resolveImagePath(request.dataRoot, paths[first]!);
      const row = (await request.classifier.classify(file)).features;
      if (row?.length !== width) {
        // Not the image's fault: every image would fail the same way.
        const why = row
          ? `the classifier returned ${row.length} features, the backbone declares ${width}`
          : 'the classifier returned no features (open it with withFeatures)';
        fatal ??= { error: new AppError('MODEL_INVALID', why) };
        return;
      }
      for (const i of indices) fill(i, row);
      pending.push({ hash, features: row });
      if (pending.length >= flushEvery) await flush();
    } catch (error) {
      // A failure no retry can fix belongs to this one image: skip the image, keep the run.
      if (!isNonRetryable(error)) {
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
  return {
    features,
    width,
    present,
    failures,
    cached,
    computed: todo.size - new Set(failures.map((f) => hashes[f.index])).size,
    seconds: (performance.now() - t0) / 1000,
  };
}
