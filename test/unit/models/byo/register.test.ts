/**
 * registerOnnxModel: defaults inferred from the graph, settings from flags and the export folder,
 * validation by a real onnxruntime dummy batch, external data copied along, versions, and every
 * rejection code — with nothing written to the registry when a model is refused. Registered
 * fixtures are then classified in-process (real sharp + onnxruntime) to prove the manifest fits.
 */
import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageClassifier, loadModel, modelFacts, writeModel, registerOnnxModel, scanModels, type RegisteredModel } from '@hourglass/core';
import { externalizeWeights, buildTimmLike, timmLikeLabels, writeTimmLikeExport } from '@hourglass/core/testing';
import { solidImage } from '../../../helpers/images.js';
import { failsToRunModel, hardcodedBatchModel, imageModel, softmaxModel, tabularModel, unknownOpModel } from '../../../helpers/onnx-fixtures.js';

let root: string;
let counter = 0;
const fresh = (stem: string): string => path.join(root, `${stem}-${counter++}`);

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'hg-byo-register-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function onnxFile(bytes: Uint8Array | string): Promise<string> {
  const dir = fresh('src');
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'model.onnx'), bytes);
  return path.join(dir, 'model.onnx');
}

async function classifyColours(model: RegisteredModel): Promise<string[]> {
  const classifier = await ImageClassifier.open(model, {
    provider: { ep: 'cpu' },
    intraOpThreads: 1,
    batchSize: 4,
    batchTimeoutMs: 5,
    maxInputPixels: 1e8,
    preprocessConcurrency: 2,
  });
  try {
    const images = await Promise.all((['red', 'green', 'blue'] as const).map((colour) => solidImage({ colour, width: 96, height: 64 })));
    const results = await Promise.all(images.map((img) => classifier.classify(img)));
    return results.map((r) => r.predictions[0]!.label);
  } finally {
    await classifier.close();
  }
}

describe('registerOnnxModel: defaults from the graph', () => {
  it('a bare timm-like file: ImageNet mean/std, 224², cover, class_i labels, logits, version 1', async () => {
    const modelsDir = fresh('models');
    const src = await onnxFile(buildTimmLike({ arch: 'vit', classes: 7 }).onnx);
    const result = await registerOnnxModel(modelsDir, src, { name: 'bare-vit' });
    expect(result).toMatchObject({ name: 'bare-vit', version: 1, dir: path.join(modelsDir, 'bare-vit'), warnings: [], validation: { batch: 2 } });
    const { manifest } = await loadModel(modelsDir, 'bare-vit');
    expect(manifest.input).toEqual({
      name: 'input',
      layout: 'NCHW',
      width: 224,
      height: 224,
      mean: [0.485, 0.456, 0.406],
      std: [0.229, 0.224, 0.225],
      resize: 'cover',
      dynamicBatch: true,
    });
    expect(manifest.output).toEqual({ name: 'logits', kind: 'logits' });
    expect(manifest.labels).toEqual(['class_0', 'class_1', 'class_2', 'class_3', 'class_4', 'class_5', 'class_6']);
    expect(manifest.source).toMatchObject({ kind: 'imported', format: 'onnx', file: 'model.onnx' });
    expect(manifest.batching).toEqual({ size: 16, timeoutMs: 10 });
    expect(manifest.topK).toBe(5);
    expect(manifest.onnx).toMatchObject({
      opset: 18,
      params: buildTimmLike({ arch: 'vit', classes: 7 }).params,
      externalData: [],
      inputShape: ['batch', 3, 224, 224],
      outputShape: ['batch', 7],
    });
    expect(await readdir(modelsDir)).toEqual(['bare-vit']);
  });

  it('an export folder: name, labels, mean/std and size from model.json; flags win over it', async () => {
    const modelsDir = fresh('models');
    const dir = fresh('export');
    await writeTimmLikeExport(dir, { arch: 'convnet' });
    const fromFolder = await registerOnnxModel(modelsDir, dir);
    expect(fromFolder.name).toBe('timm-like-convnet');
    expect(fromFolder.manifest.labels.slice(0, 4)).toEqual(['red', 'green', 'blue', 'class_3']);
    expect(fromFolder.manifest.source).toMatchObject({ kind: 'imported', licence: 'MIT', timm: { crop_pct: 1 } });

    const labels = Array.from({ length: 10 }, (_, i) => `thing ${i}`);
    const flagged = await registerOnnxModel(modelsDir, dir, {
      name: 'flagged',
      labels,
      mean: [0.5, 0.5, 0.5],
      std: [0.5, 0.5, 0.5],
      resize: 'contain',
      description: 'mine',
    });
    expect(flagged.manifest).toMatchObject({
      name: 'flagged',
      description: 'mine',
      labels,
      input: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], resize: 'contain' },
    });
  });

  it('labels.txt next to the model, when model.json has none', async () => {
    const modelsDir = fresh('models');
    const dir = fresh('export');
    await writeTimmLikeExport(dir, { arch: 'convnet', classes: 3, metadata: false });
    await writeFile(path.join(dir, 'labels.txt'), 'rouge\nvert\nbleu\n');
    const result = await registerOnnxModel(modelsDir, dir, { name: 'labelled' });
    expect(result.manifest.labels).toEqual(['rouge', 'vert', 'bleu']);
  });

  it('a symbolic spatial size takes --size, else 224; a fixed one refuses a different --size', async () => {
    const modelsDir = fresh('models');
    const symbolic = await onnxFile(imageModel({ shape: ['batch', 3, 'h', 'w'] }));
    expect((await registerOnnxModel(modelsDir, symbolic, { name: 'sym-default' })).manifest.input).toMatchObject({ width: 224, height: 224 });
    expect((await registerOnnxModel(modelsDir, symbolic, { name: 'sym-sized', size: { width: 96, height: 64 } })).manifest.input).toMatchObject({
      width: 96,
      height: 64,
    });
    const fixed = await onnxFile(imageModel({ shape: ['batch', 3, 32, 32] }));
    expect((await registerOnnxModel(modelsDir, fixed, { name: 'fixed' })).manifest.input).toMatchObject({ width: 32, height: 32 });
    await expect(registerOnnxModel(modelsDir, fixed, { name: 'fixed-wrong', size: { width: 64, height: 64 } })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining('fixed at 32x32'),
    });
  });

  it('NHWC input and a Softmax ending are registered as such', async () => {
    const modelsDir = fresh('models');
    const nhwc = await registerOnnxModel(modelsDir, await onnxFile(imageModel({ layout: 'NHWC' })), { name: 'nhwc' });
    expect(nhwc.manifest.input).toMatchObject({ layout: 'NHWC', width: 32, height: 32 });
    const soft = await registerOnnxModel(modelsDir, await onnxFile(softmaxModel()), { name: 'soft' });
    expect(soft.manifest.output).toEqual({ name: 'probs', kind: 'probabilities' });
  });
});

describe('registerOnnxModel: batch axis', () => {
  it('a static batch of 1 is accepted with dynamicBatch false, batch size 1 and a warning', async () => {
    const modelsDir = fresh('models');
    const warned: string[] = [];
    const result = await registerOnnxModel(modelsDir, await onnxFile(buildTimmLike({ arch: 'convnet', batch: 'static' }).onnx), {
      name: 'static',
      onWarning: (w) => warned.push(w),
    });
    expect(result.manifest.input.dynamicBatch).toBe(false);
    expect(result.manifest.batching).toEqual({ size: 1, timeoutMs: 10 });
    expect(result.validation.batch).toBe(1);
    expect(result.warnings).toEqual([expect.stringContaining('fixed batch of 1')]);
    expect(warned).toEqual(result.warnings);
  });

  it('a "dynamic" batch that only runs with one image is registered with batch size 1 and a warning', async () => {
    const modelsDir = fresh('models');
    const result = await registerOnnxModel(modelsDir, await onnxFile(hardcodedBatchModel()), { name: 'hardcoded' });
    expect(result.manifest.input.dynamicBatch).toBe(false);
    expect(result.validation.batch).toBe(1);
    expect(result.warnings).toEqual([expect.stringContaining('fails with 2 images')]);
  });
});

describe('registerOnnxModel: external data', () => {
  it('copies model.onnx.data alongside and the registered model classifies colours', async () => {
    const modelsDir = fresh('models');
    const dir = fresh('export');
    const { model } = await writeTimmLikeExport(dir, { arch: 'vit', weights: 'external' });
    const result = await registerOnnxModel(modelsDir, dir, { name: 'vit-ext' });
    expect((await readdir(result.dir)).sort()).toEqual(['model.json', 'model.onnx', 'model.onnx.data']);
    expect(Buffer.compare(await readFile(path.join(result.dir, 'model.onnx.data')), Buffer.from(model.files[0]!.data))).toBe(0);
    expect(result.manifest.onnx.externalData).toEqual([{ path: 'model.onnx.data', bytes: model.files[0]!.data.byteLength, tensors: expect.any(Number) }]);
    expect(await classifyColours(await loadModel(modelsDir, 'vit-ext'))).toEqual(['red', 'green', 'blue']);
  });

  it('keeps the relative location of data in a sub-folder', async () => {
    const modelsDir = fresh('models');
    const dir = fresh('export');
    const { onnx, files } = externalizeWeights(buildTimmLike({ arch: 'convnet' }).onnx, { location: 'weights/convnet.bin' });
    await mkdir(path.join(dir, 'weights'), { recursive: true });
    await writeFile(path.join(dir, 'model.onnx'), onnx);
    await writeFile(path.join(dir, 'weights', 'convnet.bin'), files[0]!.data);
    const result = await registerOnnxModel(modelsDir, dir, { name: 'sub-ext', labels: timmLikeLabels(10) });
    expect(await readdir(path.join(result.dir, 'weights'))).toEqual(['convnet.bin']);
    expect(await classifyColours(await loadModel(modelsDir, 'sub-ext'))).toEqual(['red', 'green', 'blue']);
  });

  it('per-tensor external files (torch > 2 GB style) are all copied', async () => {
    const modelsDir = fresh('models');
    const dir = fresh('export');
    const { onnx, files } = externalizeWeights(buildTimmLike({ arch: 'convnet' }).onnx, { perTensor: true });
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'model.onnx'), onnx);
    for (const f of files) await writeFile(path.join(dir, f.path), f.data);
    const result = await registerOnnxModel(modelsDir, dir, { name: 'per-tensor' });
    expect((await readdir(result.dir)).length).toBe(2 + files.length);
  });

  it('MODEL_EXTERNAL_DATA_INVALID when the data file was left behind', async () => {
    const modelsDir = fresh('models');
    const dir = fresh('export');
    await writeTimmLikeExport(dir, { arch: 'convnet', weights: 'external' });
    await rm(path.join(dir, 'model.onnx.data'));
    await expect(registerOnnxModel(modelsDir, dir, { name: 'no-data' })).rejects.toMatchObject({ code: 'MODEL_EXTERNAL_DATA_INVALID' });
    expect(await readdir(modelsDir).catch(() => [])).toEqual([]);
  });
});

describe('registerOnnxModel: versions', () => {
  it('registering a name again stores version + 1, replacing the folder whole', async () => {
    const modelsDir = fresh('models');
    const ext = fresh('export');
    await writeTimmLikeExport(ext, { arch: 'convnet', weights: 'external' });
    expect((await registerOnnxModel(modelsDir, ext, { name: 'again' })).version).toBe(1);
    const inline = await onnxFile(buildTimmLike({ arch: 'convnet' }).onnx);
    const second = await registerOnnxModel(modelsDir, inline, { name: 'again' });
    expect(second.version).toBe(2);
    expect((await loadModel(modelsDir, 'again')).manifest.version).toBe(2);
    // The old external data went with the old version.
    expect((await readdir(second.dir)).sort()).toEqual(['model.json', 'model.onnx']);
  });
});

describe('registerOnnxModel rejections (and nothing registered)', () => {
  const cases: Array<[string, string, () => Uint8Array | string]> = [
    ['a text file', 'MODEL_NOT_ONNX', () => 'not a model, just text\n'],
    ['a truncated ONNX', 'MODEL_NOT_ONNX', () => buildTimmLike({ arch: 'convnet' }).onnx.subarray(0, 5000)],
    ['a non-image input [batch, 10]', 'MODEL_NO_IMAGE_INPUT', tabularModel],
    ['an op onnxruntime does not have', 'MODEL_RUN_FAILED', unknownOpModel],
    ['a graph that fails when run', 'MODEL_RUN_FAILED', failsToRunModel],
  ];
  it.each(cases)('%s → %s', async (_label, code, bytes) => {
    const modelsDir = fresh('models');
    await expect(registerOnnxModel(modelsDir, await onnxFile(bytes()), { name: 'refused' })).rejects.toMatchObject({ code });
    expect((await scanModels(modelsDir)).models.size).toBe(0);
    expect(await readdir(modelsDir).catch(() => [])).toEqual([]);
  });

  it('VALIDATION_FAILED: labels that do not match the class count, a bad name, a bundled name', async () => {
    const modelsDir = fresh('models');
    const src = await onnxFile(buildTimmLike({ arch: 'convnet', classes: 10 }).onnx);
    await expect(registerOnnxModel(modelsDir, src, { name: 'wrong-labels', labels: ['a', 'b'] })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining('10 classes'),
    });
    await expect(registerOnnxModel(modelsDir, src, { name: 'Bad Name!' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(registerOnnxModel(modelsDir, src, { name: 'mobilenet-v2' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining('bundled'),
    });
    expect(await readdir(modelsDir).catch(() => [])).toEqual([]);
  });

  it('MODEL_RUN_FAILED names the failure', async () => {
    const error = await registerOnnxModel(fresh('models'), await onnxFile(failsToRunModel()), { name: 'x' }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/dummy batch of 1 NCHW 3x16x16 image\(s\) failed to run/);
  });
});

describe('modelFacts (what GET /v1/models shows)', () => {
  it('reads params and sizes from model.json for registered exports, from the file for the others', async () => {
    const modelsDir = fresh('models');
    const dir = fresh('export');
    const { model } = await writeTimmLikeExport(dir, { arch: 'vit', weights: 'external' });
    await registerOnnxModel(modelsDir, dir, { name: 'facts-ext' });
    expect(await modelFacts(await loadModel(modelsDir, 'facts-ext'))).toEqual({
      params: model.params,
      opset: 18,
      externalDataBytes: model.files[0]!.data.byteLength,
      totalBytes: model.onnx.byteLength + model.files[0]!.data.byteLength,
    });
    // Written without `models add` (as the importers and train jobs do): no facts in model.json.
    const plain = buildTimmLike({ arch: 'convnet', classes: 3 });
    await writeModel(modelsDir, { ...plain.metadata, name: 'facts-plain', version: 1 }, plain.onnx);
    expect(await modelFacts(await loadModel(modelsDir, 'facts-plain'))).toEqual({
      params: plain.params,
      opset: 18,
      externalDataBytes: 0,
      totalBytes: plain.onnx.byteLength,
    });
  });
});
