/**
 * The settings one worker process runs its classify pipeline with, from its config and the model's
 * manifest. The worker and the benchmark's in-process baseline both take them from here, so the
 * baseline always runs exactly what a worker would.
 */
import os from 'node:os';
import type { InferenceThreadMode, WorkerConfig } from '../config.js';
import { providerSpecOf, type ProviderConfig, type ProviderSpec } from '../inference/provider.js';
import type { ModelManifest } from '../models/manifest.js';
import { coresOf, inferenceLayoutOf } from './inference-layout.js';

export interface PipelineSettings {
  /** The execution provider and its options, from the config (ORT_EP, CUDA_DEVICE_ID, WEBGPU_*). */
  provider: ProviderSpec;
  /** Where the ONNX session runs: its own worker_thread, or the main thread. */
  inferenceThread: InferenceThreadMode;
  /** ONNX sessions side by side in this process (inference-layout.ts). */
  inferenceSessions: number;
  /** Intra-op threads of each session. */
  intraOpThreads: number;
  /** Micro-batch size B. */
  batchSize: number;
  batchTimeoutMs: number;
  /** Images decoding at once. */
  preprocessConcurrency: number;
  /** Jobs in flight (the BullMQ worker concurrency). */
  concurrency: number;
  maxInputPixels: number;
}

export type PipelineConfig = Pick<
  WorkerConfig,
  'ORT_EP' | 'BATCH_SIZE' | 'BATCH_TIMEOUT_MS' | 'INTRA_OP_THREADS' | 'INFERENCE_SESSIONS' | 'WORKERS_PER_HOST' | 'PREPROCESS_CONCURRENCY' | 'MAX_INPUT_PIXELS'
> &
  Partial<Pick<WorkerConfig, 'INFERENCE_THREAD' | 'CPU_CORES'>> &
  ProviderConfig;

/** Images decoding at once: 4 on the CPU; a GPU runs a batch in a fraction of the time a core needs to decode it, so decode on every core. */
export function preprocessConcurrencyOf(config: Pick<WorkerConfig, 'ORT_EP' | 'PREPROCESS_CONCURRENCY'>, cores = os.availableParallelism()): number {
  return config.PREPROCESS_CONCURRENCY ?? (config.ORT_EP !== 'cpu' ? Math.max(4, cores) : 4);
}

/** `seenCores`: the cores node reports (CPU_CORES overrides them, inference-layout.ts). */
export function workerPipelineSettings(
  config: PipelineConfig,
  manifest: Pick<ModelManifest, 'batching'>,
  seenCores = os.availableParallelism(),
): PipelineSettings {
  const batchSize = config.BATCH_SIZE ?? manifest.batching.size;
  const layout = inferenceLayoutOf(config, seenCores);
  return {
    provider: providerSpecOf(config),
    inferenceThread: config.INFERENCE_THREAD ?? 'worker',
    inferenceSessions: layout.sessions,
    intraOpThreads: layout.intraOpThreads,
    batchSize,
    batchTimeoutMs: config.BATCH_TIMEOUT_MS ?? manifest.batching.timeoutMs,
    preprocessConcurrency: preprocessConcurrencyOf(config, coresOf(config, seenCores)),
    // 2 × S × B: on each of the S sessions one micro-batch runs while its next one decodes. (With
    // (S + 1) × B, sessions that finished together found one batch between them and ran it split.)
    concurrency: 2 * layout.sessions * batchSize,
    maxInputPixels: config.MAX_INPUT_PIXELS,
  };
}
