import type { ErrorCode } from '../errors.js';
import type { Prediction } from '../inference/postprocess.js';

/** One image's outcome: a prediction, or a failure with a stable code and a reason. */
export interface ResultRow {
  index: number;
  source: string;
  /** Where the image was read from, relative to DATA_ROOT (an upload's blob path); GET /v1/batches/:id/images/:index serves it. */
  path?: string;
  model: string;
  modelVersion: number;
  label?: string;
  confidence?: number;
  topk?: Prediction[];
  error?: { code: ErrorCode; message: string };
  worker: string;
  /** Epoch ms when the result was produced (worker clock). */
  finishedAt: number;
  timings?: { queueMs: number; preprocessMs: number; inferenceMs: number; runMs: number; batchSize: number };
}

export const isFailure = (row: ResultRow): boolean => row.error !== undefined;
