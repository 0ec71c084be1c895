/**
 * Validation by running: opens a real onnxruntime session on the model (in a worker_thread, see
 * dummy-run-entry.ts) and runs one dummy batch — 2 images when the batch axis is dynamic, 1 when
 * it is fixed — then checks the output is [batch, classes] float32 values. A graph that declares
 * a dynamic batch but only runs with 1 image (a hard-coded Reshape, say) is accepted with
 * dynamicBatch = false and a warning. Failures are MODEL_RUN_FAILED / MODEL_NO_CLASS_OUTPUT.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
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
  { batch: number; ok: true; dims: number[]; type: string; finite: boolean; ms: number } | { batch: number; ok: false; message: string; ms: number };

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

const ENTRY = fileURLToPath(new URL('./dummy-run-entry.js', import.meta.url));

/** Address space the check may use unless configured: node and onnxruntime need ~0.5 GB of it. */
export const DEFAULT_MODEL_CHECK_MEMORY_BYTES = 2 * 1024 ** 3;

const OUT_OF_MEMORY = /bad_alloc|Failed to allocate|out of memory|Cannot allocate|allocation failed|ENOMEM|failed to map segment/i;

function resourceLimit(job: DummyRunJob, limitBytes: number, what: string): AppError {
  return new AppError(
    'MODEL_RESOURCE_LIMIT',
    `${job.onnxPath}: running one dummy batch needed more than the ${Math.round(limitBytes / 1024 ** 2)} MiB the check may use (${what}); a graph that allocates this much per image cannot be served`,
    {
      details: { limitBytes },
    },
  );
}

/**
 * The check runs in its own process, its address space capped with `ulimit -v` (RLIMIT_AS, which
 * also bounds onnxruntime's native allocations, unlike --max-old-space-size), killed after the
 * timeout. Running out of memory there is MODEL_RESOURCE_LIMIT; the API process is untouched.
 */
function runInChild(job: DummyRunJob, timeoutMs: number, limitBytes: number): Promise<DummyRunReport> {
  return new Promise((resolve, reject) => {
    const kib = Math.max(256 * 1024, Math.floor(limitBytes / 1024));
    const child = spawn('/bin/sh', ['-c', `ulimit -v ${kib} && exec "$0" "$1"`, process.execPath, ENTRY], {
      env: { PATH: process.env.PATH ?? '', HOURGLASS_DUMMY_RUN_JOB: JSON.stringify(job) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const timer = setTimeout(() => {
      finish(() =>
        reject(new AppError('MODEL_RUN_FAILED', `${job.onnxPath}: loading and running one dummy batch took longer than ${Math.round(timeoutMs / 1000)} s`)),
      );
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (error) =>
      finish(() => reject(new AppError('MODEL_RUN_FAILED', `${job.onnxPath}: the model check could not start: ${error.message}`, { cause: error }))),
    );
    child.once('close', (code, signal) =>
      finish(() => {
        const line = stdout.trim().split('\n').at(-1);
        if (code === 0 && line) {
          const report = JSON.parse(line) as DummyRunReport;
          const failed = report.attempts.find((a): a is Extract<DummyRunAttempt, { ok: false }> => !a.ok && OUT_OF_MEMORY.test(a.message));
          const failure = report.loadError ?? failed?.message;
          if (failure && OUT_OF_MEMORY.test(failure) && !report.attempts.some((a) => a.ok))
            return reject(resourceLimit(job, limitBytes, failure.split('\n')[0]!.slice(0, 200)));
          return resolve(report);
        }
        // Killed or aborted: an allocation past the limit ends the process this way.
        if (signal !== null || OUT_OF_MEMORY.test(stderr) || code === 134) return reject(resourceLimit(job, limitBytes, signal ?? `exit ${code}`));
        const lines = stderr
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => l !== '');
        const said = (lines.find((l) => /Error|error:/.test(l)) ?? lines.at(-1))?.slice(0, 300);
        if (said && OUT_OF_MEMORY.test(said)) return reject(resourceLimit(job, limitBytes, said));
        reject(new AppError('MODEL_RUN_FAILED', `${job.onnxPath}: onnxruntime exited (code ${code}) before answering${said ? `: ${said}` : ''}`));
      }),
    );
  });
}

/** Runs one dummy batch through the model (see the module comment). */
export async function runDummyBatch(
  onnxPath: string,
  input: ImageInputInfo & { width: number; height: number },
  outputName: string,
  options: { timeoutMs?: number; memoryLimitBytes?: number } = {},
): Promise<DummyRunResult> {
  const itemDims = input.layout === 'NCHW' ? [3, input.height, input.width] : [input.height, input.width, 3];
  const job: DummyRunJob = {
    onnxPath,
    inputName: input.name,
    outputName,
    itemDims,
    batches: input.dynamicBatch ? [2, 1] : [1],
    intraOpThreads: Math.max(1, Math.min(4, os.availableParallelism())),
  };
  const report = await runInChild(job, options.timeoutMs ?? 300_000, options.memoryLimitBytes ?? DEFAULT_MODEL_CHECK_MEMORY_BYTES);
  const details = { file: onnxPath };
  if (report.loadError !== undefined) {
    throw new AppError('MODEL_RUN_FAILED', `${onnxPath}: onnxruntime cannot load it: ${report.loadError.split('\n')[0]}`, { details });
  }
  if (!report.inputNames.includes(input.name))
    throw new AppError('MODEL_RUN_FAILED', `${onnxPath}: onnxruntime sees no input "${input.name}" (inputs: ${report.inputNames.join(', ')})`, { details });
  if (!report.outputNames.includes(outputName))
    throw new AppError('MODEL_RUN_FAILED', `${onnxPath}: onnxruntime sees no output "${outputName}" (outputs: ${report.outputNames.join(', ')})`, { details });
  const success = report.attempts.find((a) => a.ok);
  const failures = report.attempts.filter((a): a is Extract<DummyRunAttempt, { ok: false }> => !a.ok);
  if (!success || !success.ok) {
    const last = failures.at(-1);
    throw new AppError(
      'MODEL_RUN_FAILED',
      `${onnxPath}: a dummy batch of ${last?.batch ?? 1} ${input.layout} ${itemDims.join('x')} image(s) failed to run: ${(last?.message ?? 'no result').split('\n')[0]}`,
      { details },
    );
  }
  const warnings: string[] = [];
  const dynamicBatch = input.dynamicBatch && success.batch > 1;
  if (input.dynamicBatch && !dynamicBatch) {
    warnings.push(
      `the graph declares a dynamic batch axis but fails with 2 images (${failures[0]?.message.split('\n')[0] ?? 'error'}); registered with batch size 1`,
    );
  }
  if (success.type !== 'float32') {
    throw new AppError('MODEL_NO_CLASS_OUTPUT', `${onnxPath}: output "${outputName}" is ${success.type}; hourglass reads float32`, { details });
  }
  const dims = success.dims;
  const classes = dims.length === 2 && dims[0] === success.batch ? dims[1]! : 0;
  if (classes < 1) {
    throw new AppError(
      'MODEL_NO_CLASS_OUTPUT',
      `${onnxPath}: output "${outputName}" came out as [${dims.join(', ')}] for a batch of ${success.batch}; expected [${success.batch}, classes]`,
      { details },
    );
  }
  if (!success.finite) warnings.push(`output "${outputName}" has NaN or infinite values for the dummy batch: check the export`);
  return { classes, dynamicBatch, batch: success.batch, outputDims: dims, ms: success.ms, warnings };
}
