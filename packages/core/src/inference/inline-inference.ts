/**
 * The session on the calling thread (INFERENCE_THREAD=main). Each run blocks the event loop for its
 * duration: fine for a GPU provider's millisecond runs, not for a large model on the CPU, where a
 * long stall delays BullMQ lock renewals (the worker warns about that combination).
 */
import type * as ort from 'onnxruntime-node';
import { AppError, describeError } from '../errors.js';
import type { EngineInfo, InferenceEngine } from './inference-engine.js';
import type { ThreadInit } from './protocol.js';
import { runBatch, type RunResult } from './run-batch.js';
import { describeOpened, openSession } from './session.js';

export class InlineInference implements InferenceEngine {
  /** One session: one run at a time. */
  readonly parallelRuns = 1;
  private opening: Promise<{ session: ort.InferenceSession; info: EngineInfo }> | undefined;
  private closed = false;

  constructor(private readonly init: ThreadInit) {}

  async start(): Promise<EngineInfo> {
    return (await this.open()).info;
  }

  private open(): Promise<{ session: ort.InferenceSession; info: EngineInfo }> {
    if (this.closed) return Promise.reject(new AppError('INFERENCE_FAILED', 'inference session is closed'));
    this.opening ??= openSession(this.init.onnxPath, { provider: this.init.provider, intraOpThreads: this.init.intraOpThreads }).then(
      (opened) => ({ session: opened.session, info: describeOpened(opened) }),
      (error: unknown) => {
        this.opening = undefined;
        throw error;
      },
    );
    return this.opening;
  }

  async run(input: Float32Array, batch: number): Promise<RunResult> {
    const { session } = await this.open();
    try {
      return await runBatch(session, this.init, input, batch);
    } catch (error) {
      throw new AppError('INFERENCE_FAILED', describeError(error), { cause: error });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const opening = this.opening;
    this.opening = undefined;
    if (!opening) return;
    const { session } = await opening.catch(() => ({ session: undefined }));
    await session?.release().catch(() => undefined);
  }
}
