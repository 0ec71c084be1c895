/** Messages between the main thread and the inference thread (structured clone, buffers transferred). */
import type { ExecutionProvider } from '../config.js';
import type { ProviderSpec } from './provider.js';
import type { BatchShape } from './run-batch.js';

export interface ThreadInit extends BatchShape {
  onnxPath: string;
  provider: ProviderSpec;
  intraOpThreads: number;
}

export type ToThread = { type: 'run'; id: number; batch: number; input: Float32Array } | { type: 'close' };

export type FromThread =
  | { type: 'ready'; ep: ExecutionProvider; fallbackReason?: string; inputNames: string[]; outputNames: string[] }
  | { type: 'init-failed'; message: string }
  | { type: 'result'; id: number; outputs: Record<string, Float32Array>; ms: number }
  | { type: 'run-failed'; id: number; message: string }
  | { type: 'closed' };
