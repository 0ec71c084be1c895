/**
 * inspectOnnxFile / verifyExternalData on the timm-like fixtures (every variant) and on graphs a
 * registration must refuse: each rejection has its own stable code.
 */
import { mkdtemp, mkdir, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectOnnxFile } from '@hourglass/core';
import { buildTimmLike, externalizeWeights, inspectOnnxBytes, verifyExternalData, writeTimmLikeExport, type TimmLikeOptions } from '@hourglass/core/testing';
import { imageModel, softmaxModel, spatialOutputModel, tabularModel, twoInputModel } from '../../../helpers/onnx-fixtures.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'hg-byo-inspect-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

let counter = 0;
async function file(bytes: Uint8Array | string, name = 'model.onnx'): Promise<string> {
  const dir = path.join(root, `f${counter++}`);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, name), bytes);
  return path.join(dir, name);
}

const variants: Array<[string, TimmLikeOptions]> = [
  ['convnet, inline, dynamic batch', { arch: 'convnet' }],
  ['convnet, external data, dynamic batch', { arch: 'convnet', weights: 'external' }],
  ['convnet, inline, static batch 1', { arch: 'convnet', batch: 'static' }],
  ['vit, inline, dynamic batch', { arch: 'vit' }],
  ['vit, external data, dynamic batch', { arch: 'vit', weights: 'external' }],
  ['vit, external data, static batch 1', { arch: 'vit', weights: 'external', batch: 'static' }],
];

describe('inspectOnnxFile on timm-like exports', () => {
  it.each(variants)('%s: input, output, opset, params, external data', async (_label, options) => {
    const dir = path.join(root, `timm-${counter++}`);
    const { onnxPath, model } = await writeTimmLikeExport(dir, options);
    const info = await inspectOnnxFile(onnxPath);
    const dynamic = options.batch !== 'static';
    expect(info.input).toEqual({
      name: 'input',
      layout: 'NCHW',
      width: 224,
      height: 224,
      dynamicBatch: dynamic,
      batchDim: dynamic ? 'batch' : 1,
      shape: [dynamic ? 'batch' : 1, 3, 224, 224],
    });
    expect(info.output).toEqual({ name: 'logits', classes: 10, kind: 'logits', shape: [dynamic ? 'batch' : 1, 10] });
    expect(info.opset).toBe(18);
    expect(info.params).toBe(model.params);
    expect(info.params).toBeGreaterThan(options.arch === 'vit' ? 30_000 : 2_000);
    if (options.weights === 'external') {
      expect(info.externalData).toEqual([{ path: 'model.onnx.data', tensors: expect.any(Number), minBytes: model.files[0]!.data.byteLength }]);
      expect(info.externalData[0]!.tensors).toBeGreaterThan(1);
      // The external file holds the weights: the .onnx itself is small.
      expect(info.fileBytes).toBeLessThan(model.files[0]!.data.byteLength);
      const verified = await verifyExternalData(dir, info.externalData);
      expect(verified[0]).toMatchObject({ path: 'model.onnx.data', bytes: model.files[0]!.data.byteLength, absolute: path.join(dir, 'model.onnx.data') });
    } else {
      expect(info.externalData).toEqual([]);
    }
    expect(info.warnings.some((w) => /fixed batch of 1/.test(w))).toBe(!dynamic);
  });

  it('lists the op types a ViT export uses', async () => {
    const info = inspectOnnxBytes(buildTimmLike({ arch: 'vit' }).onnx, 'vit.onnx');
    expect(info.ops).toEqual(expect.arrayContaining(['Conv', 'Reshape', 'Transpose', 'LayerNormalization', 'MatMul', 'Softmax', 'ReduceMean', 'Gemm', 'Erf']));
    // The Softmax inside attention does not make the output probabilities.
    expect(info.output.kind).toBe('logits');
  });

  it('counts external tensors from their dims, the same as inline ones', () => {
    const inline = buildTimmLike({ arch: 'vit' });
    const external = externalizeWeights(inline.onnx);
    expect(inspectOnnxBytes(external.onnx, 'x.onnx').params).toBe(inspectOnnxBytes(inline.onnx, 'x.onnx').params);
  });

  it('sees an NHWC input, a symbolic spatial size, and a Softmax ending', async () => {
    const nhwc = inspectOnnxBytes(buildTimmLike({ arch: 'convnet', layout: 'NHWC' }).onnx, 'nhwc.onnx');
    expect(nhwc.input).toMatchObject({ layout: 'NHWC', width: 224, height: 224, shape: ['batch', 224, 224, 3] });
    const symbolic = inspectOnnxBytes(imageModel({ shape: ['batch', 3, 'height', 'width'] }), 'sym.onnx');
    expect(symbolic.input).toMatchObject({ layout: 'NCHW', dynamicBatch: true });
    expect(symbolic.input.width).toBeUndefined();
    expect(symbolic.input.height).toBeUndefined();
    const softmax = inspectOnnxBytes(softmaxModel(), 'softmax.onnx');
    expect(softmax.output).toMatchObject({ name: 'probs', classes: 5, kind: 'probabilities' });
    const timmSoftmax = inspectOnnxBytes(buildTimmLike({ arch: 'convnet', softmax: true }).onnx, 'p.onnx');
    expect(timmSoftmax.output).toMatchObject({ name: 'probabilities', kind: 'probabilities' });
  });
});

describe('inspectOnnxFile rejections', () => {
  it('MODEL_NOT_ONNX: a text file', async () => {
    const p = await file('name,label\ncat.jpg,cat\n', 'labels.onnx');
    await expect(inspectOnnxFile(p)).rejects.toMatchObject({ code: 'MODEL_NOT_ONNX', message: expect.stringContaining(p) });
  });

  it('MODEL_NOT_ONNX: a truncated ONNX download', async () => {
    const { onnx } = buildTimmLike({ arch: 'vit' });
    const p = await file(onnx.subarray(0, Math.floor(onnx.length * 0.6)));
    await expect(inspectOnnxFile(p)).rejects.toMatchObject({ code: 'MODEL_NOT_ONNX', message: expect.stringMatching(/truncated|past the end/) });
  });

  it('MODEL_NOT_ONNX: an empty file', async () => {
    await expect(inspectOnnxFile(await file(''))).rejects.toMatchObject({ code: 'MODEL_NOT_ONNX' });
  });

  it('VALIDATION_FAILED: no such file', async () => {
    await expect(inspectOnnxFile(path.join(root, 'nope.onnx'))).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('MODEL_NO_IMAGE_INPUT: a non-image input [batch, 10]', async () => {
    const error = await inspectOnnxFile(await file(tabularModel())).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MODEL_NO_IMAGE_INPUT', message: expect.stringContaining('[batch, 10]') });
    expect((error as { details: { inputs: unknown } }).details.inputs).toEqual([{ name: 'features', shape: ['batch', 10] }]);
  });

  it('MODEL_NO_IMAGE_INPUT: two inputs, no 3-channel axis, a fixed batch of 8', async () => {
    await expect(inspectOnnxFile(await file(twoInputModel()))).rejects.toMatchObject({
      code: 'MODEL_NO_IMAGE_INPUT',
      message: expect.stringContaining('2 inputs'),
    });
    await expect(inspectOnnxFile(await file(imageModel({ shape: ['batch', 4, 32, 32] })))).rejects.toMatchObject({
      code: 'MODEL_NO_IMAGE_INPUT',
      message: expect.stringContaining('3-channel'),
    });
    await expect(inspectOnnxFile(await file(imageModel({ shape: [8, 3, 32, 32] })))).rejects.toMatchObject({
      code: 'MODEL_NO_IMAGE_INPUT',
      message: expect.stringContaining('fixed batch of 8'),
    });
  });

  it('MODEL_NO_CLASS_OUTPUT: an output that is not [batch, classes]', async () => {
    await expect(inspectOnnxFile(await file(spatialOutputModel()))).rejects.toMatchObject({
      code: 'MODEL_NO_CLASS_OUTPUT',
      message: expect.stringContaining('[batch, 4, 1, 1]'),
    });
  });

  it('MODEL_NO_IMAGE_INPUT / MODEL_NO_CLASS_OUTPUT: a named input or output that does not exist', async () => {
    const p = await file(buildTimmLike({ arch: 'convnet' }).onnx);
    await expect(inspectOnnxFile(p, { input: 'pixels' })).rejects.toMatchObject({ code: 'MODEL_NO_IMAGE_INPUT' });
    await expect(inspectOnnxFile(p, { output: 'features' })).rejects.toMatchObject({ code: 'MODEL_NO_CLASS_OUTPUT' });
  });
});

describe('external data checks', () => {
  const withLocation = (location: string): Uint8Array => externalizeWeights(buildTimmLike({ arch: 'convnet' }).onnx, { location }).onnx;

  it.each(['../weights.bin', '/etc/passwd', 'sub/../../x.bin', 'C:\\weights.bin'])(
    'MODEL_EXTERNAL_DATA_INVALID: a location outside the folder (%s)',
    (location) => {
      expect(() => inspectOnnxBytes(withLocation(location), 'escape.onnx')).toThrow(expect.objectContaining({ code: 'MODEL_EXTERNAL_DATA_INVALID' }));
    },
  );

  it('accepts a data file in a sub-folder', () => {
    expect(inspectOnnxBytes(withLocation('weights/model.bin'), 'sub.onnx').externalData).toEqual([expect.objectContaining({ path: 'weights/model.bin' })]);
  });

  it('MODEL_EXTERNAL_DATA_INVALID: the data file is missing, truncated, or a link out of the folder', async () => {
    const dir = path.join(root, `ext-${counter++}`);
    const { onnxPath } = await writeTimmLikeExport(dir, { arch: 'vit', weights: 'external' });
    const info = await inspectOnnxFile(onnxPath);
    await truncate(path.join(dir, 'model.onnx.data'), 1000);
    await expect(verifyExternalData(dir, info.externalData)).rejects.toMatchObject({
      code: 'MODEL_EXTERNAL_DATA_INVALID',
      message: expect.stringContaining('truncated'),
    });
    await rm(path.join(dir, 'model.onnx.data'));
    await expect(verifyExternalData(dir, info.externalData)).rejects.toMatchObject({
      code: 'MODEL_EXTERNAL_DATA_INVALID',
      message: expect.stringContaining('missing'),
    });
    const outside = path.join(root, `outside-${counter++}.data`);
    await writeFile(outside, Buffer.alloc(info.externalData[0]!.minBytes));
    await symlink(outside, path.join(dir, 'model.onnx.data'));
    await expect(verifyExternalData(dir, info.externalData)).rejects.toMatchObject({
      code: 'MODEL_EXTERNAL_DATA_INVALID',
      message: expect.stringContaining('outside'),
    });
  });
});
