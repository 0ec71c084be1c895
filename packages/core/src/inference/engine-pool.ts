/**
 * Several engines of one model behind the one InferenceEngine face: each batch goes to the engine
 * with the fewest runs in flight, so S sessions run S micro-batches at once (the CPU layout in
 * workers/inference-layout.ts says why that beats one session with S times the threads). Each
 * engine is a full InferenceEngine of its own: a thread that dies fails only its runs, and restarts.
 */
import type { EngineInfo, InferenceEngine } from './inference-engine.js';
import type { RunResult } from './run-batch.js';

export class EnginePool implements InferenceEngine {
  private readonly inFlight: number[];

  constructor(private readonly engines: readonly InferenceEngine[]) {
    if (engines.length === 0) throw new RangeError('an engine pool needs at least one engine');
    this.inFlight = engines.map(() => 0);
  }

  get size(): number {
    return this.engines.length;
  }

  get parallelRuns(): number {
    return this.engines.reduce((sum, e) => sum + e.parallelRuns, 0);
  }

  /**
   * Starts every engine. If one fails, the others are closed and its error is thrown. The info is
   * the first engine's, unless one fell back to another provider: that one is reported.
   */
  async start(): Promise<EngineInfo> {
    const started = await Promise.allSettled(this.engines.map((e) => e.start()));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      await this.close();
      throw failed.reason;
    }
    const infos = started.map((s) => (s as PromiseFulfilledResult<EngineInfo>).value);
    return infos.find((i) => i.fallbackReason !== undefined) ?? infos[0]!;
  }

  async run(input: Float32Array, batch: number): Promise<RunResult> {
    let pick = 0;
    for (let i = 1; i < this.inFlight.length; i++) if (this.inFlight[i]! < this.inFlight[pick]!) pick = i;
    this.inFlight[pick]!++;
    try {
      return await this.engines[pick]!.run(input, batch);
    } finally {
      this.inFlight[pick]!--;
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.engines.map((e) => e.close()));
  }
}
