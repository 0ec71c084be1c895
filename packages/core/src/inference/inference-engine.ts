/**
 * What a model's ONNX session offers, wherever it lives (engine-factory.ts picks the place). Types
 * only: the engines import this file, and nothing here imports them back.
 */
import type { ExecutionProvider } from '../config.js';
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
  /** Batches it runs at once: 1 for one session, the session count for a pool (the batcher dispatches that many). */
  readonly parallelRuns: number;
  /** Opens the session (once); resolves with the provider in use. */
  start(): Promise<EngineInfo>;
  /** Runs one batch. `input` may be transferred away: do not touch it afterwards. */
  run(input: Float32Array, batch: number): Promise<RunResult>;
  /** Releases the session. */
  close(): Promise<void>;
}
