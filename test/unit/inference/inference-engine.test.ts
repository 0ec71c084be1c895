/**
 * Both places a session can live — its own worker_thread (default) and the calling thread
 * (INFERENCE_THREAD=main) — run the same real ONNX graph to the same outputs, report the same
 * graph, fail the same way, and the classifier works on either.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, ImageClassifier, loadModel, writeModel, type RegisteredModel } from '@hourglass/core';
import { InferenceThread, InlineInference, buildColourNet, createInferenceEngine, type InferenceEngine, type ThreadInit } from '@hourglass/core/testing';
import { solidImage } from '../../helpers/images.js';

const SIZE = 16;
let dir: string;
let model: RegisteredModel;
let init: ThreadInit;

/** A deterministic batch of `n` images' worth of floats in 0..1. */
function batchInput(n: number): Float32Array {
  const input = new Float32Array(n * 3 * SIZE * SIZE);
  for (let i = 0; i < input.length; i++) input[i] = ((i * 7919) % 1000) / 1000;
  return input;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hg-engine-'));
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

describe('inference engines', () => {
  it('createInferenceEngine picks the worker_thread by default mode and the calling thread for main', async () => {
    expect(createInferenceEngine(init, 'worker')).toBeInstanceOf(InferenceThread);
    expect(createInferenceEngine(init, 'main')).toBeInstanceOf(InlineInference);
  });

  it('the thread and the inline session give identical outputs for the same batch', async () => {
    const engines: InferenceEngine[] = [new InferenceThread(init), new InlineInference(init)];
    try {
      const infos = await Promise.all(engines.map((e) => e.start()));
      for (const info of infos) {
        expect(info.ep).toBe('cpu');
        expect(info.inputNames).toEqual(['input']);
        expect(info.outputNames).toContain(model.manifest.output.name);
      }
      const [threaded, inline] = await Promise.all(engines.map((e) => e.run(batchInput(5), 5)));
      const a = threaded!.outputs[model.manifest.output.name]!;
      const b = inline!.outputs[model.manifest.output.name]!;
      expect(a.length).toBe(5 * model.manifest.labels.length);
      expect(Array.from(b)).toEqual(Array.from(a));
      expect(inline!.ms).toBeGreaterThan(0);
    } finally {
      await Promise.all(engines.map((e) => e.close()));
    }
  });

  it('inline: outputs are copies that survive the next run', async () => {
    const engine = new InlineInference(init);
    try {
      const first = await engine.run(batchInput(2), 2);
      const kept = Array.from(first.outputs[model.manifest.output.name]!);
      await engine.run(new Float32Array(2 * 3 * SIZE * SIZE), 2);
      expect(Array.from(first.outputs[model.manifest.output.name]!)).toEqual(kept);
    } finally {
      await engine.close();
    }
  });

  it('inline: a file that is not ONNX is MODEL_INVALID naming the file, and a wrong-sized batch is INFERENCE_FAILED', async () => {
    const junk = path.join(dir, 'junk.onnx');
    await writeFile(junk, 'not a model');
    const broken = new InlineInference({ ...init, onnxPath: junk });
    const error = await broken.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('MODEL_INVALID');
    expect((error as AppError).message).toContain(junk);

    const engine = new InlineInference(init);
    try {
      const failure = await engine.run(new Float32Array(7), 1).catch((e: unknown) => e);
      expect((failure as AppError).code).toBe('INFERENCE_FAILED');
      // The session survives a failed run.
      expect((await engine.run(batchInput(1), 1)).outputs[model.manifest.output.name]).toHaveLength(model.manifest.labels.length);
    } finally {
      await engine.close();
    }
  });

  it('inline: runs after close() are refused with INFERENCE_FAILED', async () => {
    const engine = new InlineInference(init);
    await engine.start();
    await engine.close();
    expect(((await engine.run(batchInput(1), 1).catch((e: unknown) => e)) as AppError).code).toBe('INFERENCE_FAILED');
  });

  it('a classifier on the main thread labels real JPEGs like one on the inference thread', async () => {
    const options = {
      provider: { ep: 'cpu' as const },
      intraOpThreads: 1,
      batchSize: 4,
      batchTimeoutMs: 20,
      maxInputPixels: 10_000_000,
      preprocessConcurrency: 4,
    };
    const onThread = await ImageClassifier.open(model, options);
    const onMain = await ImageClassifier.open(model, { ...options, inferenceThread: 'main' });
    try {
      for (const colour of ['red', 'green', 'blue'] as const) {
        const jpeg = await solidImage({ colour, width: 64, height: 48, noise: 20, seed: 5 });
        const [a, b] = await Promise.all([onThread.classify(jpeg), onMain.classify(jpeg)]);
        expect(b.predictions[0]!.label).toBe(colour);
        expect(b.predictions).toEqual(a.predictions);
      }
    } finally {
      await Promise.all([onThread.close(), onMain.close()]);
    }
  });
});
