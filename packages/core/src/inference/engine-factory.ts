/**
 * Where a model's ONNX session lives and runs. By default on its own worker_thread (InferenceThread):
 * session.run() blocks the calling thread for the whole batch, and the worker's main thread must
 * keep renewing BullMQ locks and heartbeats. `main` runs it on the calling thread (InlineInference):
 * for GPU execution providers, where a run is short and whose native device setup may depend on
 * the thread that asks for it (see bench/gpu/README.md), and to tell such problems apart.
 */
import type { InferenceThreadMode } from '../config.js';
import { EnginePool } from './engine-pool.js';
import type { InferenceEngine } from './inference-engine.js';
import { InferenceThread } from './inference-thread.js';
import { InlineInference } from './inline-inference.js';
import type { ThreadInit } from './protocol.js';

/** One engine, or with `sessions` > 1 a pool of that many (engine-pool.ts). */
export function createInferenceEngine(init: ThreadInit, mode: InferenceThreadMode, sessions = 1): InferenceEngine {
  const one = (): InferenceEngine => (mode === 'main' ? new InlineInference(init) : new InferenceThread(init));
  return sessions > 1 ? new EnginePool(Array.from({ length: sessions }, one)) : one();
}
