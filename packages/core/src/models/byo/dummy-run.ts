/**
 * Validation by running: opens a real onnxruntime session on the model (in a worker_thread, see
 * dummy-run-entry.ts) and runs one dummy batch — 2 images when the batch axis is dynamic, 1 when
 * it is fixed — then checks the output is [batch, classes] float32 values. A graph that declares
 * a dynamic batch but only runs with 1 image (a hard-coded Reshape, say) is accepted with
 * dynamicBatch = false and a warning. Failures are MODEL_RUN_FAILED / MODEL_NO_CLASS_OUTPUT.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { AppError } from '../../errors.js';
import type { ImageInputInfo } from './inspect.js';

export interface DummyRunJob {
  onnxPath: string;
  inputName: string;
  outputName: string;
  /** Per-image dims after the batch axis: [3, H, W] or [H, W, 3]. */
  itemDims: number[];
  /** Batch sizes to try in order; the first that runs wins. */
  batches: number[];
  intraOpThreads: number;
}

export type DummyRunAttempt =
  | { batch: number; ok: true; dims: number[]; type: string; finite: boolean; ms: number }
  | { batch: number; ok: false; message: string; ms: number };

export interface DummyRunReport {
  loadError?: string;
  inputNames: string[];
  outputNames: string[];
  attempts: DummyRunAttempt[];
}

export interface DummyRunResult {
  classes: number;
  /** False when the graph only ran with one image. */
  dynamicBatch: boolean;
  batch: number;
  outputDims: number[];
  ms: number;
  warnings: string[];
}

const ENTRY = new URL('./dummy-run-entry.js', import.meta.url);

function runInThread(job: DummyRunJob, timeoutMs: number): Promise<DummyRunReport> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(ENTRY, { workerData: job });
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const timer = setTimeout(() => {
      finish(() => reject(new AppError('MODEL_RUN_FAILED', `${job.onnxPath}: loading and running one dummy batch took longer than ${Math.round(timeoutMs / 1000)} s`)));
      void worker.terminate();
    }, timeoutMs);
    worker.once('message', (report: DummyRunReport) => finish(() => resolve(report)));
    worker.once('error', (error) => finish(() => reject(new AppError('MODEL_RUN_FAILED', `${job.onnxPath}: onnxruntime crashed: ${error.message}`, { cause: error }))));
    worker.once('exit', (code) => finish(() => reject(new AppError('MODEL_RUN_FAILED', `${job.onnxPath}: onnxruntime exited (code ${code}) before answering`))));
  });
}

/** Runs one dummy batch through the model (see the module comment). */
export async function runDummyBatch(onnxPath: string, input: ImageInputInfo & { width: number; height: number }, outputName: string, options: { timeoutMs?: number } = {}): Promise<DummyRunResult> {
  const itemDims = input.layout === 'NCHW' ? [3, input.height, input.width] : [input.height, input.width, 3];
  const job: DummyRunJob = {
    onnxPath,
    inputName: input.name,
    outputName,
    itemDims,
    batches: input.dynamicBatch ? [2, 1] : [1],
    intraOpThreads: Math.max(1, Math.min(4, os.availableParallelism())),
  };
  const report = await runInThread(job, options.timeoutMs ?? 300_000);
  const details = { file: onnxPath };
  if (report.loadError !== undefined) {
    throw new AppError('MODEL_RUN_FAILED', `${onnxPath}: onnxruntime cannot load it: ${report.loadError.split('\n')[0]}`, { details });
  }
  if (!report.inputNames.includes(input.name)) throw new AppError('MODEL_RUN_FAILED', `${onnxPath}: onnxruntime sees no input "${input.name}" (inputs: ${report.inputNames.join(', ')})`, { details });
  if (!report.outputNames.includes(outputName)) throw new AppError('MODEL_RUN_FAILED', `${onnxPath}: onnxruntime sees no output "${outputName}" (outputs: ${report.outputNames.join(', ')})`, { details });
  const success = report.attempts.find((a) => a.ok);
  const failures = report.attempts.filter((a): a is Extract<DummyRunAttempt, { ok: false }> => !a.ok);
  if (!success || !success.ok) {
    const last = failures.at(-1);
    throw new AppError('MODEL_RUN_FAILED', `${onnxPath}: a dummy batch of ${last?.batch ?? 1} ${input.layout} ${itemDims.join('x')} image(s) failed to run: ${(last?.message ?? 'no result').split('\n')[0]}`, { details });
  }
  const warnings: string[] = [];
  const dynamicBatch = input.dynamicBatch && success.batch > 1;
  if (input.dynamicBatch && !dynamicBatch) {
    warnings.push(`the graph declares a dynamic batch axis but fails with 2 images (${failures[0]?.message.split('\n')[0] ?? 'error'}); registered with batch size 1`);
  }
  if (success.type !== 'float32') {
    throw new AppError('MODEL_NO_CLASS_OUTPUT', `${onnxPath}: output "${outputName}" is ${success.type}; hourglass reads float32`, { details });
  }
  const dims = success.dims;
  const classes = dims.length === 2 && dims[0] === success.batch ? dims[1]! : 0;
  if (classes < 1) {
    throw new AppError('MODEL_NO_CLASS_OUTPUT', `${onnxPath}: output "${outputName}" came out as [${dims.join(', ')}] for a batch of ${success.batch}; expected [${success.batch}, classes]`, { details });
  }
  if (!success.finite) warnings.push(`output "${outputName}" has NaN or infinite values for the dummy batch: check the export`);
  return { classes, dynamicBatch, batch: success.batch, outputDims: dims, ms: success.ms, warnings };
}
