/**
 * The bundled nsfwjs backbones, imported to ONNX, against the ORIGINAL TF.js models.
 *
 * Both sides get the very same float tensor (hourglass's sharp decode + channel tables, computed
 * once), so what is measured is the graph conversion, not two resamplers. MobileNetV2 runs live on
 * tfjs's pure-JS CPU backend (20 images, ~1-2 s each); the mid model and InceptionV3 (~15 s per
 * image plus ~1 min to load on tfjs CPU) are checked against reference outputs committed under
 * test/fixtures/nsfwjs/ by scripts/nsfwjs-reference.mjs, the same code the live check runs — and
 * the live run is also compared with the committed MobileNetV2 fixture, so the fixtures cannot
 * silently drift from the real model.
 *
 * Bounds (issue 3): max |Δ| of the 5 probabilities < 1e-3, features < 1e-2 relative to the largest
 * |feature| of the image, identical top-1 on every image.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageClassifier, loadModel, type RegisteredModel } from '@hourglass/core';
import { BUNDLED_MODELS, NSFWJS_LABELS, importBundledModels } from '@hourglass/core/importers';
import type { ModelManifest } from '@hourglass/core/testing';

interface GeneratedImage {
  name: string;
  bytes: Buffer;
}
interface FixtureImage {
  name: string;
  inputSha256: string;
  probabilities: number[];
  features: string;
}
interface Fixture {
  model: string;
  input: { width: number; height: number; mean: number[]; std: number[]; resize: string };
  featureSize: number;
  images: FixtureImage[];
}
/** scripts/nsfwjs-reference.mjs (plain JS, shared with the fixture generator). */
interface ReferenceModule {
  REFERENCE_MODELS: Record<string, { images: number; size: number }>;
  generateImages(count: number): Promise<GeneratedImage[]>;
  preprocess(bytes: Buffer, input: ModelManifest['input']): Promise<Float32Array>;
  tensorDigest(tensor: Float32Array): string;
  decodeFloats(base64: string): Float32Array;
  computeReference(model: string, options?: { images?: number }): Promise<Fixture>;
  readFixture(model: string): Promise<Fixture>;
  compareOutputs(expected: Fixture, actual: Fixture): { probabilities: number; features: number };
}

const scriptPath = fileURLToPath(new URL('../../../scripts/nsfwjs-reference.mjs', import.meta.url));
const ref = (await import(scriptPath)) as ReferenceModule;

const PROBABILITY_BOUND = 1e-3;
const FEATURE_BOUND = 1e-2;

interface Outputs {
  probabilities: Float32Array;
  features: Float32Array;
}

/** Raw onnxruntime session, same options as the worker's (cpu, 2 intra-op threads, all optimisations). */
async function runOnnx(model: RegisteredModel, tensors: readonly Float32Array[]): Promise<Outputs[]> {
  const { input, features, output } = model.manifest;
  const session = await ort.InferenceSession.create(model.onnxPath, {
    executionProviders: ['cpu'],
    intraOpNumThreads: 2,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
  });
  try {
    const results: Outputs[] = [];
    const item = 3 * input.width * input.height;
    for (let start = 0; start < tensors.length; start += 8) {
      const group = tensors.slice(start, start + 8);
      const batch = new Float32Array(group.length * item);
      group.forEach((t, k) => batch.set(t, k * item));
      const out = await session.run({ [input.name]: new ort.Tensor('float32', batch, [group.length, 3, input.height, input.width]) });
      const p = out[output.name]!.data as Float32Array;
      const f = out[features!.name]!.data as Float32Array;
      group.forEach((_, k) => {
        results.push({ probabilities: p.slice(k * 5, k * 5 + 5), features: f.slice(k * features!.size, (k + 1) * features!.size) });
      });
    }
    return results;
  } finally {
    await session.release();
  }
}

const argmax = (values: ArrayLike<number>): number => {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
};

interface Parity {
  probabilities: number;
  features: number;
  top1Mismatches: string[];
}

function parity(reference: readonly FixtureImage[], actual: readonly Outputs[]): Parity {
  const result: Parity = { probabilities: 0, features: 0, top1Mismatches: [] };
  reference.forEach((r, i) => {
    const a = actual[i]!;
    r.probabilities.forEach((p, k) => (result.probabilities = Math.max(result.probabilities, Math.abs(p - a.probabilities[k]!))));
    const expected = ref.decodeFloats(r.features);
    expect(a.features.length).toBe(expected.length);
    let scale = 0;
    let diff = 0;
    expected.forEach((v, k) => {
      scale = Math.max(scale, Math.abs(v));
      diff = Math.max(diff, Math.abs(v - a.features[k]!));
    });
    result.features = Math.max(result.features, diff / (scale || 1));
    if (argmax(r.probabilities) !== argmax(a.probabilities)) result.top1Mismatches.push(r.name);
  });
  return result;
}

function expectParity(model: string, p: Parity, images: number): void {
  console.log(
    `[parity] ${model}: ${images} images, max |Δp| ${p.probabilities.toExponential(2)}, features ${p.features.toExponential(2)} rel, top-1 mismatches ${p.top1Mismatches.length}`,
  );
  expect(p.probabilities).toBeLessThan(PROBABILITY_BOUND);
  expect(p.features).toBeLessThan(FEATURE_BOUND);
  expect(p.top1Mismatches).toEqual([]);
}

describe('nsfwjs bundled backbones imported to ONNX', () => {
  let modelsDir: string;
  const models = new Map<string, RegisteredModel>();
  let images: GeneratedImage[];

  beforeAll(async () => {
    modelsDir = await mkdtemp(path.join(os.tmpdir(), 'hourglass-nsfwjs-'));
    const results = await importBundledModels(modelsDir);
    expect(results.map((r) => [r.name, r.status])).toEqual(BUNDLED_MODELS.map((m) => [m.name, 'imported']));
    for (const m of BUNDLED_MODELS) models.set(m.name, await loadModel(modelsDir, m.name));
    images = await ref.generateImages(Math.max(...Object.values(ref.REFERENCE_MODELS).map((m) => m.images)));
  }, 120_000);

  afterAll(async () => {
    if (modelsDir) await rm(modelsDir, { recursive: true, force: true });
  });

  it('registers each model with a full manifest, and a second import is a cached no-op', async () => {
    const expected = { 'mobilenet-v2': [224, 1280], 'mobilenet-v2-mid': [224, 1792], 'inception-v3': [299, 2048] } as const;
    for (const [name, [size, featureSize]] of Object.entries(expected)) {
      const { manifest } = models.get(name)!;
      expect(manifest.input).toEqual({
        name: 'input',
        layout: 'NCHW',
        width: size,
        height: size,
        mean: [0, 0, 0],
        std: [1, 1, 1],
        resize: 'fill',
        dynamicBatch: true,
      });
      expect(manifest.output).toEqual({ name: 'probabilities', kind: 'probabilities' });
      expect(manifest.features).toEqual({ name: 'features', size: featureSize });
      expect(manifest.labels).toEqual([...NSFWJS_LABELS]);
      expect(manifest.batching.size).toBe(16);
      expect(manifest.source).toMatchObject({
        kind: 'bundled',
        licence: 'MIT',
        url: expect.stringContaining('nsfwjs'),
        package: expect.stringMatching(/^nsfwjs@\d/),
      });
      expect(String(manifest.source.importer)).toContain(String(manifest.source.package));
    }
    const t0 = performance.now();
    const again = await importBundledModels(modelsDir);
    expect(again.map((r) => r.status)).toEqual(['cached', 'cached', 'cached']);
    expect(performance.now() - t0).toBeLessThan(1_000);
    await expect(importBundledModels(modelsDir, { only: ['no-such-model'] })).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
  });

  it('mobilenet-v2 matches the original TF.js model run live (20 images), and its committed fixture', async () => {
    const model = models.get('mobilenet-v2')!;
    const live = await ref.computeReference('mobilenet-v2');
    expect(live.images.length).toBeGreaterThanOrEqual(20);
    const tensors = await Promise.all(live.images.map((_, i) => ref.preprocess(images[i]!.bytes, model.manifest.input)));
    // The manifest's preprocessing is nsfwjs's: the tensor the reference saw is the one ONNX gets.
    expect(tensors.map((t) => ref.tensorDigest(t))).toEqual(live.images.map((r) => r.inputSha256));
    expectParity('mobilenet-v2 (live tfjs)', parity(live.images, await runOnnx(model, tensors)), live.images.length);

    const committed = ref.compareOutputs(await ref.readFixture('mobilenet-v2'), live);
    expect(committed.probabilities).toBeLessThan(1e-5);
    expect(committed.features).toBeLessThan(1e-5);
  }, 240_000);

  it.each(['mobilenet-v2-mid', 'inception-v3'])(
    '%s matches the committed outputs of the original TF.js model',
    async (name) => {
      const model = models.get(name)!;
      const fixture = await ref.readFixture(name);
      expect(fixture.images.length).toBeGreaterThanOrEqual(name === 'inception-v3' ? 5 : 20);
      expect(fixture.images.map((r) => r.name)).toEqual(images.slice(0, fixture.images.length).map((i) => i.name));
      const tensors = await Promise.all(fixture.images.map((_, i) => ref.preprocess(images[i]!.bytes, model.manifest.input)));
      // A mismatch here means sharp / libvips decode differently from when the fixtures were made:
      // regenerate them with `node scripts/nsfwjs-reference.mjs`.
      expect(tensors.map((t) => ref.tensorDigest(t))).toEqual(fixture.images.map((r) => r.inputSha256));
      expectParity(name, parity(fixture.images, await runOnnx(model, tensors)), fixture.images.length);
    },
    120_000,
  );

  it('ImageClassifier serves each imported model, batched, with its features output', async () => {
    for (const name of ['mobilenet-v2', 'mobilenet-v2-mid', 'inception-v3']) {
      const model = models.get(name)!;
      const subset = images.slice(0, 6);
      const tensors = await Promise.all(subset.map((i) => ref.preprocess(i.bytes, model.manifest.input)));
      const raw = await runOnnx(model, tensors);
      const classifier = await ImageClassifier.open(model, {
        provider: { ep: 'cpu' },
        intraOpThreads: 2,
        batchSize: 16,
        batchTimeoutMs: 20,
        maxInputPixels: 100_000_000,
        preprocessConcurrency: 4,
        withFeatures: true,
      });
      try {
        const results = await Promise.all(subset.map((i) => classifier.classify(i.bytes)));
        results.forEach((r, k) => {
          const expected = raw[k]!;
          expect(r.predictions[0]!.label).toBe(NSFWJS_LABELS[argmax(expected.probabilities)]);
          for (const p of r.predictions) {
            expect(Math.abs(p.confidence - expected.probabilities[NSFWJS_LABELS.indexOf(p.label as (typeof NSFWJS_LABELS)[number])]!)).toBeLessThan(1e-5);
          }
          expect(r.features?.length).toBe(model.manifest.features!.size);
        });
        expect(Math.max(...results.map((r) => r.timings.batchSize))).toBeGreaterThan(1);
      } finally {
        await classifier.close();
      }
    }
  }, 120_000);
});
