/** Messages between the main thread and the inference thread (structured clone, buffers transferred). */
import type { ExecutionProvider } from '../config.js';

export interface ThreadInit {
  onnxPath: string;
  ep: ExecutionProvider;
  intraOpThreads: number;
  cudaDeviceId: number;
  inputName: string;
  /** Per-image input dims after the batch axis, e.g. [3, 224, 224]. */
  itemDims: number[];
  outputNames: string[];
}

export type ToThread = { type: 'run'; id: number; batch: number; input: Float32Array } | { type: 'close' };

export type FromThread =
  | { type: 'ready'; ep: ExecutionProvider; fallbackReason?: string; inputNames: string[]; outputNames: string[] }
  | { type: 'init-failed'; message: string }
  | { type: 'result'; id: number; outputs: Record<string, Float32Array>; ms: number }
  | { type: 'run-failed'; id: number; message: string }
  | { type: 'closed' };
