/**
 * The merged model (backbone graph + appended head, ONE ONNX file) must compute exactly what the
 * TS head computes from the backbone's features: run both on real images through onnxruntime and
 * compare every probability (max abs diff < 1e-5), for the linear and the mlp head.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, loadModel, realDataRoot, runTraining, writeModel, type ImageClassifier, type TrainRequest } from '@hourglass/core';
import { MemoryFeatureCache, appendHead, extractHead, inspectGraph, buildColourNet, initHead, predict, randomStream } from '@hourglass/core/testing';
import { makeColourDataset, openBackbone } from '../../helpers/training.js';

let root: string;
let dataRoot: string;
let modelsDir: string;
let backbone: ImageClassifier;
const cache = new MemoryFeatureCache();
const open: ImageClassifier[] = [];

const request = (overrides: Partial<TrainRequest> = {}): TrainRequest => ({
  baseModel: 'colours',
  dataset: 'colours3',
  epochs: 3,
  validPct: 0.25,
  seed: 42,
  head: 'linear',
  ...overrides,
});

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'hourglass-parity-'));
  dataRoot = path.join(root, 'data');
  modelsDir = path.join(root, 'models');
  const { manifest, onnx } = buildColourNet({ name: 'colours', size: 32, channels: 8 });
  await writeModel(modelsDir, manifest, onnx);
  await makeColourDataset(dataRoot, 'colours3', { perClass: 12, broken: 2 });
  dataRoot = await realDataRoot(dataRoot);
  backbone = await openBackbone(await loadModel(modelsDir, 'colours'), { batchSize: 8, threads: 1 });
  open.push(backbone);
});

afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await rm(root, { recursive: true, force: true });
});

describe('train → merged ONNX model', () => {
  it.each(['linear', 'mlp'] as const)('%s head: merged probabilities equal backbone features → TS head (max abs diff < 1e-5)', async (head) => {
    const result = await runTraining(
      { classifier: backbone, dataRoot, modelsDir, cache },
      {
        trainId: `tparity${head}`,
        request: request({ head, hidden: 16, lr: 1e-2 }),
        dataset: { name: 'colours3', path: 'colours3', hash: '', classes: [] },
        outputModel: `colours-${head}`,
      },
    );
    expect(result.images).toEqual({ total: 38, train: expect.any(Number), valid: expect.any(Number), failed: 2 });
    expect(result.failures.map((f) => f.code)).toEqual(['IMAGE_DECODE_FAILED', 'IMAGE_DECODE_FAILED']);
    expect(result.epochs).toHaveLength(3);
    expect(result.accuracy).toBe(1);

    const model = await loadModel(modelsDir, `colours-${head}`);
    expect(model.manifest.labels).toEqual(['blue', 'green', 'red']);
    expect(model.manifest.source.kind).toBe('trained');
    expect(model.manifest.output).toEqual({ name: 'probabilities', kind: 'probabilities' });
    expect(model.manifest.features).toEqual({ name: 'features', size: 8 });
    expect((model.manifest.lineage as Record<string, any>).baseModel).toMatchObject({ name: 'colours', version: 1 });
    expect((model.manifest.training as Record<string, any>).epochs).toEqual(result.epochs);

    // The head the TS side computes with, read back from the ONNX initializers.
    const onnx = await readFile(model.onnxPath);
    const tsHead = extractHead(onnx);
    const decoded = inspectGraph(onnx);
    expect(tsHead.layers).toHaveLength(head === 'linear' ? 1 : 2);
    // The old colour head is gone: one Softmax, the new one.
    expect(decoded.nodes.filter((n) => n.op === 'Softmax')).toHaveLength(1);
    expect(decoded.outputs).toEqual(['probabilities', 'features']);

    const merged = await openBackbone(model, { batchSize: 8, threads: 1 });
    open.push(merged);
    const files = (await readdir(path.join(dataRoot, 'colours3', 'red'))).filter((f) => !f.startsWith('broken')).slice(0, 4);
    const images = [
      ...files.map((f) => path.join(dataRoot, 'colours3', 'red', f)),
      path.join(dataRoot, 'colours3', 'blue', '000.jpg'),
      path.join(dataRoot, 'colours3', 'green', '000.jpg'),
    ];
    let maxDiff = 0;
    for (const file of images) {
      const out = await merged.classify(file);
      const probs = predict(tsHead, Float64Array.from(out.features!), 1);
      for (const p of out.predictions) {
        maxDiff = Math.max(maxDiff, Math.abs(p.confidence - probs[model.manifest.labels.indexOf(p.label)]!));
      }
      // Backbone features are unchanged by the merge.
      const base = await backbone.classify(file);
      for (let i = 0; i < 8; i++) expect(out.features![i]).toBeCloseTo(base.features![i]!, 5);
    }
    expect(maxDiff).toBeLessThan(1e-5);
    expect((await merged.classify(images[0]!)).predictions[0]!.label).toBe('red');
  });

  it('a second run (same dataset, other head) takes every feature from the cache', async () => {
    const result = await runTraining(
      { classifier: backbone, dataRoot, modelsDir, cache },
      {
        trainId: 'tparity-again',
        request: request({ seed: 7 }),
        dataset: { name: 'colours3', path: 'colours3', hash: '', classes: [] },
        outputModel: 'colours-linear',
      },
    );
    expect(result.featureCache).toEqual({ hits: 36, computed: 0 });
    // Registered as the next version of the same model.
    expect(result.model).toEqual({ name: 'colours-linear', version: 2 });
    expect((await loadModel(modelsDir, 'colours-linear')).manifest.version).toBe(2);
  });

  it('same seed, same features → the same epoch table (times aside) and the same head', async () => {
    const run = (trainId: string) =>
      runTraining(
        { classifier: backbone, dataRoot, modelsDir, cache },
        {
          trainId,
          request: request({ seed: 11, head: 'mlp', hidden: 8 }),
          dataset: { name: 'colours3', path: 'colours3', hash: '', classes: [] },
          outputModel: `colours-det-${trainId}`,
        },
      );
    const a = await run('tdet-a');
    const b = await run('tdet-b');
    const table = (r: typeof a) => r.epochs.map(({ seconds: _s, ...row }) => row);
    expect(table(a)).toEqual(table(b));
    const headOf = async (name: string) => extractHead(await readFile((await loadModel(modelsDir, name)).onnxPath));
    expect(await headOf('colours-det-tdet-a')).toEqual(await headOf('colours-det-tdet-b'));
  });

  it('an attempt that had already registered its model does not register it twice', async () => {
    const spec = {
      trainId: 'tparity-again',
      request: request({ seed: 7 }),
      dataset: { name: 'colours3', path: 'colours3', hash: '', classes: [] },
      outputModel: 'colours-linear',
    };
    const result = await runTraining({ classifier: backbone, dataRoot, modelsDir, cache }, spec);
    expect(result.reusedRegistration).toBe(true);
    expect(result.model.version).toBe(2);
  });

  it('appendHead refuses a backbone without the named features output', () => {
    const { onnx } = buildColourNet({ name: 'x', size: 16, channels: 4 });
    const head = initHead({ kind: 'linear', inputs: 4, classes: 2 }, randomStream(1, 1));
    expect(() => appendHead({ backbone: onnx, featuresOutput: 'nope', head })).toThrow(AppError);
  });
});
