import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, writeModel } from '@hourglass/core';
import { buildColourNet, COLOUR_LABELS, openSession, parseManifest, seededRandom, type OpenedSession } from '@hourglass/core/testing';

const SIZE = 16;
const CHANNELS = 6;

/** A batch of solid-colour NCHW images, pixel values already normalised (mean 0, std 1). */
function solidBatch(colours: Array<[number, number, number]>): ort.Tensor {
  const plane = SIZE * SIZE;
  const data = new Float32Array(colours.length * 3 * plane);
  colours.forEach((rgb, n) => {
    for (let c = 0; c < 3; c++) data.fill(rgb[c]!, (n * 3 + c) * plane, (n * 3 + c + 1) * plane);
  });
  return new ort.Tensor('float32', data, [colours.length, 3, SIZE, SIZE]);
}

describe('seededRandom', () => {
  it('is deterministic per seed and stays in [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const c = seededRandom(43);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 1000 }, () => c())).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    // Not degenerate: roughly uniform.
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.4);
    expect(mean).toBeLessThan(0.6);
  });
});

describe('buildColourNet', () => {
  it('is byte-for-byte deterministic for a seed, and the seed changes the weights', () => {
    const a = buildColourNet({ name: 'c', size: SIZE, channels: CHANNELS });
    const b = buildColourNet({ name: 'c', size: SIZE, channels: CHANNELS });
    const c = buildColourNet({ name: 'c', size: SIZE, channels: CHANNELS, seed: 1 });
    expect(Buffer.compare(Buffer.from(a.onnx), Buffer.from(b.onnx))).toBe(0);
    expect(Buffer.compare(Buffer.from(a.onnx), Buffer.from(c.onnx))).not.toBe(0);
  });

  it('describes itself with a valid manifest', () => {
    const { manifest } = buildColourNet({ name: 'tiny', size: 24, channels: 2, version: 3 });
    const m = parseManifest(manifest, 'generated');
    expect(m).toMatchObject({ name: 'tiny', version: 3, topK: 3, labels: [...COLOUR_LABELS] });
    expect(m.input).toMatchObject({ width: 24, height: 24, layout: 'NCHW', mean: [0, 0, 0], std: [1, 1, 1] });
    // At least three channels: the identity paths need them.
    expect(m.features).toEqual({ name: 'features', size: 3 });
  });

  describe('in a real ONNX Runtime session', () => {
    let dir: string;
    let opened: OpenedSession;

    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'hg-colour-net-'));
      const { manifest, onnx } = buildColourNet({ name: 'colour', size: SIZE, channels: CHANNELS });
      await writeModel(dir, manifest, onnx);
      const model = await loadModel(dir, 'colour');
      opened = await openSession(model.onnxPath, { provider: { ep: 'cpu' }, intraOpThreads: 1 });
    });
    afterAll(async () => {
      await opened?.session.release();
      await rm(dir, { recursive: true, force: true });
    });

    it('opens on the cpu provider with the names the manifest promises', () => {
      expect(opened.ep).toBe('cpu');
      expect(opened.fallbackReason).toBeUndefined();
      expect([...opened.session.inputNames]).toEqual(['input']);
      expect([...opened.session.outputNames].sort()).toEqual(['features', 'probabilities']);
    });

    it('labels red, green and blue images by their dominant colour in one batch', async () => {
      const batch = solidBatch([
        [0.9, 0.1, 0.1],
        [0.1, 0.8, 0.2],
        [0.1, 0.2, 0.9],
        [0.3, 0.2, 0.6],
      ]);
      const out = await opened.session.run({ input: batch });
      const probabilities = out.probabilities!;
      expect(probabilities.dims).toEqual([4, 3]);
      const p = probabilities.data as Float32Array;
      const argmax = (row: number): number => [0, 1, 2].reduce((best, k) => (p[row * 3 + k]! > p[row * 3 + best]! ? k : best), 0);
      expect([0, 1, 2, 3].map(argmax)).toEqual([0, 1, 2, 2]);
      for (let row = 0; row < 4; row++) expect(p[row * 3]! + p[row * 3 + 1]! + p[row * 3 + 2]!).toBeCloseTo(1, 5);
      expect(p[0]).toBeGreaterThan(0.99);
      expect(out.features!.dims).toEqual([4, CHANNELS]);
    });
  });

  it('a wrong ONNX file does not open', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hg-bad-onnx-'));
    try {
      const { manifest } = buildColourNet({ name: 'bad', size: SIZE });
      await writeModel(dir, manifest, new TextEncoder().encode('not an onnx graph'));
      const onnxPath = path.join(dir, 'bad', 'model.onnx');
      // The registry's header check refuses it before onnxruntime is asked; onnxruntime refuses it too.
      await expect(loadModel(dir, 'bad')).rejects.toMatchObject({ code: 'MODEL_INVALID', details: { file: onnxPath } });
      await expect(openSession(onnxPath, { provider: { ep: 'cpu' }, intraOpThreads: 1 })).rejects.toMatchObject({
        code: 'MODEL_INVALID',
        details: { file: onnxPath },
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
