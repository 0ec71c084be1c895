/**
 * A pool of real inference threads on a real ONNX graph: batches spread over the sessions, the
 * outputs are those of one session, a session that cannot open fails the pool whole, and a
 * classifier with several sessions labels images like one with a single session.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError, ImageClassifier } from '@hourglass/core';
import { EnginePool, InferenceThread, createInferenceEngine } from '@hourglass/core/testing';
import { colourBatch, useColourEngine } from '../../helpers/colour-engine.js';
import { solidImage } from '../../helpers/images.js';

const fx = useColourEngine('hg-pool-');

type RunResult = Awaited<ReturnType<InferenceThread['run']>>;

/** A real inference thread that counts the batches it was given. */
class CountingThread extends InferenceThread {
  runs = 0;
  override run(input: Float32Array, batch: number): Promise<RunResult> {
    this.runs++;
    return super.run(input, batch);
  }
}

describe('EnginePool', () => {
  it('createInferenceEngine makes a pool only for more than one session', async () => {
    const one = createInferenceEngine(fx.init, 'worker', 1);
    expect(one).toBeInstanceOf(InferenceThread);
    expect(one.parallelRuns).toBe(1);
    const pool = createInferenceEngine(fx.init, 'worker', 3);
    expect(pool).toBeInstanceOf(EnginePool);
    expect((pool as EnginePool).size).toBe(3);
    // The classifier's batcher dispatches this many batches at once.
    expect(pool.parallelRuns).toBe(3);
    expect(() => new EnginePool([])).toThrow(RangeError);
  });

  it('spreads batches in flight over its sessions, with the outputs one session gives', async () => {
    const threads = [new CountingThread(fx.init), new CountingThread(fx.init)];
    const pool = new EnginePool(threads);
    const single = new InferenceThread(fx.init);
    try {
      expect((await pool.start()).ep).toBe('cpu');
      const sizes = [3, 1, 4, 2];
      const pooled = await Promise.all(sizes.map((n, i) => pool.run(colourBatch(n, i), n)));
      expect(threads.map((t) => t.runs)).toEqual([2, 2]);
      const name = fx.model.manifest.output.name;
      for (const [i, n] of sizes.entries()) {
        const alone = await single.run(colourBatch(n, i), n);
        expect(Array.from(pooled[i]!.outputs[name]!)).toEqual(Array.from(alone.outputs[name]!));
      }
      // Idle again: the next batch goes to the first session.
      await pool.run(colourBatch(1, 9), 1);
      expect(threads.map((t) => t.runs)).toEqual([3, 2]);
    } finally {
      await Promise.all([pool.close(), single.close()]);
    }
  });

  it('fails whole when one session cannot open, closing the others', async () => {
    const junk = path.join(fx.dir, 'junk.onnx');
    await writeFile(junk, 'not a model');
    const good = new InferenceThread(fx.init);
    const pool = new EnginePool([good, new InferenceThread({ ...fx.init, onnxPath: junk })]);
    const error = await pool.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('MODEL_INVALID');
    expect(((await good.run(colourBatch(1, 0), 1).catch((e: unknown) => e)) as AppError).code).toBe('INFERENCE_FAILED');
  });

  it('a classifier with two sessions labels real JPEGs like one with a single session', async () => {
    const options = {
      provider: { ep: 'cpu' as const },
      intraOpThreads: 1,
      batchSize: 2,
      batchTimeoutMs: 5,
      maxInputPixels: 10_000_000,
      preprocessConcurrency: 4,
    };
    const one = await ImageClassifier.open(fx.model, options);
    const two = await ImageClassifier.open(fx.model, { ...options, inferenceSessions: 2 });
    try {
      const jpegs = await Promise.all(
        (['red', 'green', 'blue', 'red', 'green', 'blue'] as const).map((colour, seed) => solidImage({ colour, width: 64, height: 48, noise: 20, seed })),
      );
      const [a, b] = await Promise.all([Promise.all(jpegs.map((j) => one.classify(j))), Promise.all(jpegs.map((j) => two.classify(j)))]);
      expect(b.map((r) => r.predictions[0]!.label)).toEqual(['red', 'green', 'blue', 'red', 'green', 'blue']);
      expect(b.map((r) => r.predictions)).toEqual(a.map((r) => r.predictions));
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });
});
