/**
 * A pool of real inference threads on a real ONNX graph: batches spread over the sessions, the
 * outputs are those of one session, a session that cannot open fails the pool whole, and a
 * classifier with several sessions labels images like one with a single session.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, ImageClassifier, loadModel, writeModel, type RegisteredModel } from '@hourglass/core';
import { EnginePool, InferenceThread, buildColourNet, createInferenceEngine, type ThreadInit } from '@hourglass/core/testing';
import { solidImage } from '../../helpers/images.js';

const SIZE = 16;
let dir: string;
let model: RegisteredModel;
let init: ThreadInit;

function batchInput(n: number, seed: number): Float32Array {
  const input = new Float32Array(n * 3 * SIZE * SIZE);
  for (let i = 0; i < input.length; i++) input[i] = (((i + seed) * 7919) % 1000) / 1000;
  return input;
}

type RunResult = Awaited<ReturnType<InferenceThread['run']>>;

/** A real inference thread that counts the batches it was given. */
class CountingThread extends InferenceThread {
  runs = 0;
  override run(input: Float32Array, batch: number): Promise<RunResult> {
    this.runs++;
    return super.run(input, batch);
  }
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hg-pool-'));
  const { manifest, onnx } = buildColourNet({ name: 'colour', size: SIZE, channels: 4 });
  await writeModel(dir, manifest, onnx);
  model = await loadModel(dir, 'colour');
  init = {
    onnxPath: model.onnxPath,
    provider: { ep: 'cpu' },
    intraOpThreads: 1,
    inputName: 'input',
    itemDims: [3, SIZE, SIZE],
    outputNames: [model.manifest.output.name],
  };
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('EnginePool', () => {
  it('createInferenceEngine makes a pool only for more than one session', async () => {
    expect(createInferenceEngine(init, 'worker', 1)).toBeInstanceOf(InferenceThread);
    const pool = createInferenceEngine(init, 'worker', 3);
    expect(pool).toBeInstanceOf(EnginePool);
    expect((pool as EnginePool).size).toBe(3);
    expect(() => new EnginePool([])).toThrow(RangeError);
  });

  it('spreads batches in flight over its sessions, with the outputs one session gives', async () => {
    const threads = [new CountingThread(init), new CountingThread(init)];
    const pool = new EnginePool(threads);
    const single = new InferenceThread(init);
    try {
      expect((await pool.start()).ep).toBe('cpu');
      const sizes = [3, 1, 4, 2];
      const pooled = await Promise.all(sizes.map((n, i) => pool.run(batchInput(n, i), n)));
      expect(threads.map((t) => t.runs)).toEqual([2, 2]);
      const name = model.manifest.output.name;
      for (const [i, n] of sizes.entries()) {
        const alone = await single.run(batchInput(n, i), n);
        expect(Array.from(pooled[i]!.outputs[name]!)).toEqual(Array.from(alone.outputs[name]!));
      }
      // Idle again: the next batch goes to the first session.
      await pool.run(batchInput(1, 9), 1);
      expect(threads.map((t) => t.runs)).toEqual([3, 2]);
    } finally {
      await Promise.all([pool.close(), single.close()]);
    }
  });

  it('fails whole when one session cannot open, closing the others', async () => {
    const junk = path.join(dir, 'junk.onnx');
    await writeFile(junk, 'not a model');
    const good = new InferenceThread(init);
    const pool = new EnginePool([good, new InferenceThread({ ...init, onnxPath: junk })]);
    const error = await pool.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('MODEL_INVALID');
    expect(((await good.run(batchInput(1, 0), 1).catch((e: unknown) => e)) as AppError).code).toBe('INFERENCE_FAILED');
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
    const one = await ImageClassifier.open(model, options);
    const two = await ImageClassifier.open(model, { ...options, inferenceSessions: 2 });
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
