/**
 * Both places a session can live — its own worker_thread (default) and the calling thread
 * (INFERENCE_THREAD=main) — run the same real ONNX graph to the same outputs, report the same
 * graph, fail the same way, and the classifier works on either.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError, ImageClassifier } from '@hourglass/core';
import { InferenceThread, InlineInference, createInferenceEngine, type InferenceEngine } from '@hourglass/core/testing';
import { COLOUR_ENGINE_SIZE, colourBatch, useColourEngine } from '../../helpers/colour-engine.js';
import { solidImage } from '../../helpers/images.js';

const fx = useColourEngine('hg-engine-');

describe('inference engines', () => {
  it('createInferenceEngine picks the worker_thread by default mode and the calling thread for main', async () => {
    expect(createInferenceEngine(fx.init, 'worker')).toBeInstanceOf(InferenceThread);
    expect(createInferenceEngine(fx.init, 'main')).toBeInstanceOf(InlineInference);
  });

  it('the thread and the inline session give identical outputs for the same batch', async () => {
    const engines: InferenceEngine[] = [new InferenceThread(fx.init), new InlineInference(fx.init)];
    try {
      const infos = await Promise.all(engines.map((e) => e.start()));
      for (const info of infos) {
        expect(info.ep).toBe('cpu');
        expect(info.inputNames).toEqual(['input']);
        expect(info.outputNames).toContain(fx.model.manifest.output.name);
      }
      const [threaded, inline] = await Promise.all(engines.map((e) => e.run(colourBatch(5), 5)));
      const a = threaded!.outputs[fx.model.manifest.output.name]!;
      const b = inline!.outputs[fx.model.manifest.output.name]!;
      expect(a.length).toBe(5 * fx.model.manifest.labels.length);
      expect(Array.from(b)).toEqual(Array.from(a));
      expect(inline!.ms).toBeGreaterThan(0);
    } finally {
      await Promise.all(engines.map((e) => e.close()));
    }
  });

  it('inline: outputs are copies that survive the next run', async () => {
    const engine = new InlineInference(fx.init);
    try {
      const first = await engine.run(colourBatch(2), 2);
      const kept = Array.from(first.outputs[fx.model.manifest.output.name]!);
      await engine.run(new Float32Array(2 * 3 * COLOUR_ENGINE_SIZE * COLOUR_ENGINE_SIZE), 2);
      expect(Array.from(first.outputs[fx.model.manifest.output.name]!)).toEqual(kept);
    } finally {
      await engine.close();
    }
  });

  it('inline: a file that is not ONNX is MODEL_INVALID naming the file, and a wrong-sized batch is INFERENCE_FAILED', async () => {
    const junk = path.join(fx.dir, 'junk.onnx');
    await writeFile(junk, 'not a model');
    const broken = new InlineInference({ ...fx.init, onnxPath: junk });
    const error = await broken.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('MODEL_INVALID');
    expect((error as AppError).message).toContain(junk);

    const engine = new InlineInference(fx.init);
    try {
      const failure = await engine.run(new Float32Array(7), 1).catch((e: unknown) => e);
      expect((failure as AppError).code).toBe('INFERENCE_FAILED');
      // The session survives a failed run.
      expect((await engine.run(colourBatch(1), 1)).outputs[fx.model.manifest.output.name]).toHaveLength(fx.model.manifest.labels.length);
    } finally {
      await engine.close();
    }
  });

  it('inline: runs after close() are refused with INFERENCE_FAILED', async () => {
    const engine = new InlineInference(fx.init);
    await engine.start();
    await engine.close();
    expect(((await engine.run(colourBatch(1), 1).catch((e: unknown) => e)) as AppError).code).toBe('INFERENCE_FAILED');
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
    const onThread = await ImageClassifier.open(fx.model, options);
    const onMain = await ImageClassifier.open(fx.model, { ...options, inferenceThread: 'main' });
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
