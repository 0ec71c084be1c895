/**
 * The main-thread handle of the inference thread: start it, run batches on it, close it. If the
 * thread dies (native crash, out of memory), pending runs fail with INFERENCE_FAILED (their jobs
 * are retried by BullMQ) and the next run starts a fresh thread.
 */
import { Worker } from 'node:worker_threads';
import { AppError } from '../errors.js';
import type { FromThread, ThreadInit, ToThread } from './protocol.js';
import type { EngineInfo, InferenceEngine } from './inference-engine.js';
import type { RunResult } from './run-batch.js';

interface Pending {
  resolve: (r: RunResult) => void;
  reject: (e: Error) => void;
}

const ENTRY = new URL('./thread-entry.js', import.meta.url);

export class InferenceThread implements InferenceEngine {
  /** One session: one run at a time. */
  readonly parallelRuns = 1;
  private worker: Worker | undefined;
  private starting: Promise<EngineInfo> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly init: ThreadInit) {}

  /** Starts the thread and opens the session; resolves with the provider in use. */
  start(): Promise<EngineInfo> {
    if (this.closed) return Promise.reject(new AppError('INFERENCE_FAILED', 'inference thread is closed'));
    this.starting ??= new Promise<EngineInfo>((resolve, reject) => {
      const worker = new Worker(ENTRY, { workerData: this.init });
      this.worker = worker;
      let ready = false;
      worker.on('message', (message: FromThread) => {
        switch (message.type) {
          case 'ready':
            ready = true;
            resolve({
              ep: message.ep,
              inputNames: message.inputNames,
              outputNames: message.outputNames,
              ...(message.fallbackReason ? { fallbackReason: message.fallbackReason } : {}),
            });
            break;
          case 'init-failed':
            reject(new AppError('MODEL_INVALID', message.message, { details: { file: this.init.onnxPath } }));
            break;
          case 'result':
            this.settle(message.id)?.resolve({ outputs: message.outputs, ms: message.ms });
            break;
          case 'run-failed':
            this.settle(message.id)?.reject(new AppError('INFERENCE_FAILED', message.message));
            break;
          case 'closed':
            break;
        }
      });
      const died = (reason: string): void => {
        if (this.worker === worker) {
          this.worker = undefined;
          this.starting = undefined;
        }
        if (!ready) reject(new AppError('INFERENCE_FAILED', `inference thread failed to start: ${reason}`));
        for (const [id, p] of this.pending) {
          this.pending.delete(id);
          p.reject(new AppError('INFERENCE_FAILED', `inference thread died: ${reason}`));
        }
      };
      worker.on('error', (error) => died(error.message));
      worker.on('exit', (code) => died(`exit code ${code}`));
    });
    return this.starting;
  }

  private settle(id: number): Pending | undefined {
    const p = this.pending.get(id);
    this.pending.delete(id);
    return p;
  }

  /** Runs one batch. `input` is transferred to the thread: do not touch it afterwards. */
  async run(input: Float32Array, batch: number): Promise<RunResult> {
    await this.start();
    const worker = this.worker;
    if (!worker) throw new AppError('INFERENCE_FAILED', 'inference thread is not running');
    const id = this.nextId++;
    return new Promise<RunResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const message: ToThread = { type: 'run', id, batch, input };
      worker.postMessage(message, [input.buffer as ArrayBuffer]);
    });
  }

  /** Releases the session and stops the thread. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'close' } satisfies ToThread);
    const timeout = setTimeout(() => void worker.terminate(), 5_000);
    await exited;
    clearTimeout(timeout);
  }
}
