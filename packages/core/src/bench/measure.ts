/**
 * The two baselines every benchmark run is compared with, measured in the same process on the same
 * machine and corpus:
 *  - in-process: the worker's own ImageClassifier (sharp decode → micro-batcher → ONNX on a thread)
 *    with the worker's batch size, threads and concurrency, fed straight from a loop: no Redis, no
 *    queue. The ceiling for this code on this machine.
 *  - naive: the median latency of one image (decode + inference, batch 1, nothing else running)
 *    times N: the blog's method.
 */
import type { PipelineSettings } from '../workers/pipeline-settings.js';
import { ImageClassifier, type Classification } from '../inference/classifier.js';
import type { RegisteredModel } from '../models/registry.js';
import { resolveImagePath } from '../storage/data-root.js';
import type { CpuUsage } from './cpu.js';
import { median, quantile, ratePerSecond, round } from './stats.js';

export type { PipelineSettings };

/** Per-image costs summed over a run, ms (CPU-ish time per stage, not wall time). */
export interface StageSums {
  /** enqueue → a worker picked the job (queue runs only). */
  queueMs: number;
  /** sharp decode + resize. */
  preprocessMs: number;
  /** waiting in a micro-batch for it to fill and for the thread to be free. */
  batchWaitMs: number;
  /** this image's share of its batch's session.run (run ms / batch size). */
  runMs: number;
}

export interface StageRow {
  timings?: { queueMs?: number; preprocessMs: number; inferenceMs: number; runMs: number; batchSize: number };
}

/** Sums the per-stage timings of result rows (rows without timings, i.e. failures, are skipped). */
export function sumStages(rows: Iterable<StageRow>): StageSums {
  const s: StageSums = { queueMs: 0, preprocessMs: 0, batchWaitMs: 0, runMs: 0 };
  for (const { timings: t } of rows) {
    if (!t) continue;
    s.queueMs += t.queueMs ?? 0;
    s.preprocessMs += t.preprocessMs;
    s.batchWaitMs += Math.max(0, t.inferenceMs - t.runMs);
    s.runMs += t.runMs / Math.max(1, t.batchSize);
  }
  return { queueMs: round(s.queueMs, 1), preprocessMs: round(s.preprocessMs, 1), batchWaitMs: round(s.batchWaitMs, 1), runMs: round(s.runMs, 1) };
}

/** How many batches of each size ran: `{ "16": 610, "7": 1 }`. From rows, each batch counted once. */
export function batchHistogram(rows: Iterable<StageRow>): Record<string, number> {
  const images = new Map<number, number>();
  for (const { timings: t } of rows) if (t) images.set(t.batchSize, (images.get(t.batchSize) ?? 0) + 1);
  const out: Record<string, number> = {};
  for (const [size, count] of [...images].sort((a, b) => b[0] - a[0])) out[String(size)] = Math.round(count / size);
  return out;
}

export interface InProcessResult {
  images: number;
  wallMs: number;
  imagesPerSecond: number;
  failures: number;
  stages: StageSums;
  batchHistogram: Record<string, number>;
  /** CPU use during the run, when measured (Linux). */
  cpu?: CpuUsage;
}

export interface NaiveResult {
  samples: number;
  /** Median wall time of one image through decode + inference at batch 1, ms. */
  medianMs: number;
  p90Ms: number;
  preprocessMedianMs: number;
  runMedianMs: number;
  intraOpThreads: number;
}

/** `instances` classifiers as `instances` worker processes would have them (each with its sessions). */
export async function openClassifiers(model: RegisteredModel, settings: PipelineSettings, instances: number): Promise<ImageClassifier[]> {
  const opened: ImageClassifier[] = [];
  try {
    for (let i = 0; i < instances; i++) {
      opened.push(
        await ImageClassifier.open(model, {
          provider: settings.provider,
          inferenceThread: settings.inferenceThread,
          inferenceSessions: settings.inferenceSessions,
          intraOpThreads: settings.intraOpThreads,
          batchSize: settings.batchSize,
          batchTimeoutMs: settings.batchTimeoutMs,
          preprocessConcurrency: settings.preprocessConcurrency,
          maxInputPixels: settings.maxInputPixels,
        }),
      );
    }
    return opened;
  } catch (error) {
    await Promise.all(opened.map((c) => c.close()));
    throw error;
  }
}

/**
 * Classifies `paths` (relative to dataRoot) through the classifiers, `concurrency` images in flight
 * per classifier, the way the worker's processor does (path check, then classify). Wall time from
 * the first image started to the last finished.
 */
export async function runInProcess(classifiers: readonly ImageClassifier[], dataRoot: string, paths: readonly string[], concurrency: number): Promise<InProcessResult> {
  const rows: StageRow[] = [];
  let failures = 0;
  let next = 0;
  const started = performance.now();
  const lanes = classifiers.flatMap((classifier) =>
    Array.from({ length: concurrency }, async () => {
      while (next < paths.length) {
        const i = next++;
        try {
          const file = await resolveImagePath(dataRoot, paths[i]!);
          const result: Classification = await classifier.classify(file);
          rows.push({ timings: result.timings });
        } catch {
          failures++;
        }
      }
    }),
  );
  await Promise.all(lanes);
  const wallMs = performance.now() - started;
  return { images: paths.length, wallMs: round(wallMs, 1), imagesPerSecond: round(ratePerSecond(paths.length, wallMs), 2), failures, stages: sumStages(rows), batchHistogram: batchHistogram(rows) };
}

/**
 * The blog's number: one image at a time, batch 1, the whole machine's threads for the one
 * session. Median over `samples` images after `warmup` unmeasured ones.
 */
export async function measureNaive(
  model: RegisteredModel,
  settings: Pick<PipelineSettings, 'provider' | 'intraOpThreads' | 'maxInputPixels'> & Partial<Pick<PipelineSettings, 'inferenceThread'>>,
  dataRoot: string,
  paths: readonly string[],
  options: { samples?: number; warmup?: number } = {},
): Promise<NaiveResult> {
  const samples = Math.max(1, options.samples ?? 50);
  const warmup = options.warmup ?? 5;
  const [classifier] = await openClassifiers(model, { inferenceThread: 'worker', ...settings, inferenceSessions: 1, batchSize: 1, batchTimeoutMs: 0, preprocessConcurrency: 1, concurrency: 1 }, 1);
  const latencies: number[] = [];
  const preprocess: number[] = [];
  const run: number[] = [];
  try {
    for (let i = 0; i < warmup + samples; i++) {
      const file = await resolveImagePath(dataRoot, paths[i % paths.length]!);
      const t0 = performance.now();
      const { timings } = await classifier!.classify(file);
      const ms = performance.now() - t0;
      if (i < warmup) continue;
      latencies.push(ms);
      preprocess.push(timings.preprocessMs);
      run.push(timings.runMs);
    }
  } finally {
    await classifier!.close();
  }
  return {
    samples,
    medianMs: round(median(latencies), 3),
    p90Ms: round(quantile(latencies, 0.9), 3),
    preprocessMedianMs: round(median(preprocess), 3),
    runMedianMs: round(median(run), 3),
    intraOpThreads: settings.intraOpThreads,
  };
}
