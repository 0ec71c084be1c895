/**
 * Where a model's ONNX session lives and runs. By default on its own worker_thread (InferenceThread):
 * session.run() blocks the calling thread for the whole batch, and the worker's main thread must
 * keep renewing BullMQ locks and heartbeats. `main` runs it on the calling thread (InlineInference):
 * for GPU execution providers, where a run is short and whose native device setup may depend on
 * the thread that asks for it (see bench/gpu/README.md), and to tell such problems apart.
 */
import type { ExecutionProvider, InferenceThreadMode } from '../config.js';
import { InferenceThread } from './inference-thread.js';
import { InlineInference } from './inline-inference.js';
import type { ThreadInit } from './protocol.js';
import type { RunResult } from './run-batch.js';

export interface EngineInfo {
  /** The provider actually in use. */
  ep: ExecutionProvider;
  /** Set when the requested provider failed and the session fell back to cpu. */
  fallbackReason?: string;
  inputNames: string[];
  outputNames: string[];
}

export interface InferenceEngine {
  /** Opens the session (once); resolves with the provider in use. */
  start(): Promise<EngineInfo>;
  /** Runs one batch. `input` may be transferred away: do not touch it afterwards. */
  run(input: Float32Array, batch: number): Promise<RunResult>;
  /** Releases the session. */
  close(): Promise<void>;
}

export function createInferenceEngine(init: ThreadInit, mode: InferenceThreadMode): InferenceEngine {
  return mode === 'main' ? new InlineInference(init) : new InferenceThread(init);
}
