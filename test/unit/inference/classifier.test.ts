import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, ImageClassifier, loadModel, writeModel, type RegisteredModel } from '@hourglass/core';
import { buildColourNet, type ClassifierOptions } from '@hourglass/core/testing';
import { brokenImages, cmykJpeg, solidImage, writeImage, type ColourName } from '../../helpers/images.js';

const SIZE = 32;
const CHANNELS = 8;

const options = (extra: Partial<ClassifierOptions> = {}): ClassifierOptions => ({
  provider: { ep: 'cpu' },
  intraOpThreads: 1,
  batchSize: 4,
  // Generous: batches should fill by size under concurrency, not by the timer.
  batchTimeoutMs: 100,
  maxInputPixels: 10_000_000,
  preprocessConcurrency: 4,
  ...extra,
});

let dir: string;
let model: RegisteredModel;
let classifier: ImageClassifier;
const opened: ImageClassifier[] = [];

async function open(m: RegisteredModel, o: ClassifierOptions): Promise<ImageClassifier> {
  const c = await ImageClassifier.open(m, o);
  opened.push(c);
  return c;
}

async function register(name: string, patch: (manifest: ReturnType<typeof buildColourNet>['manifest']) => void = () => undefined): Promise<RegisteredModel> {
  const { manifest, onnx } = buildColourNet({ name, size: SIZE, channels: CHANNELS });
  patch(manifest);
  await writeModel(dir, manifest, onnx);
  return loadModel(dir, name);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hg-classifier-'));
  model = await register('colour');
  classifier = await open(model, options());
});

afterAll(async () => {
  await Promise.all(opened.map((c) => c.close()));
  await rm(dir, { recursive: true, force: true });
});

describe('ImageClassifier (real ONNX session, real images)', () => {
  it('opens on the cpu provider', () => {
    expect(classifier.info.ep).toBe('cpu');
    expect(classifier.info.fallbackReason).toBeUndefined();
    expect(classifier.info.inputNames).toEqual(['input']);
  });

  it.each(['red', 'green', 'blue'] as const)('labels a noisy %s JPEG by its colour, with top-k in order', async (colour) => {
    const result = await classifier.classify(await solidImage({ colour, width: 120, height: 90, noise: 25, seed: 3 }));
    expect(result.predictions).toHaveLength(3);
    expect(result.predictions[0]!.label).toBe(colour);
    expect(result.predictions[0]!.confidence).toBeGreaterThan(0.9);
    const confidences = result.predictions.map((p) => p.confidence);
    expect([...confidences].sort((a, b) => b - a)).toEqual(confidences);
    expect(confidences.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    expect(result.features).toBeUndefined();
  });

  it('classifies from a file path, a PNG and a CMYK JPEG alike', async () => {
    const file = await writeImage(dir, 'images/green.png', await solidImage({ colour: 'green', format: 'png' }));
    expect((await classifier.classify(file)).predictions[0]!.label).toBe('green');
    expect((await classifier.classify(await cmykJpeg('blue', { width: 40, height: 40 }))).predictions[0]!.label).toBe('blue');
  });

  it('batches concurrent images (batch size > 1) and still gives each its own label', async () => {
    const colours: ColourName[] = Array.from({ length: 24 }, (_, i) => (['red', 'green', 'blue'] as const)[i % 3]!);
    const images = await Promise.all(colours.map((colour, i) => solidImage({ colour, width: 48, height: 48, seed: i + 10 })));
    const results = await Promise.all(images.map((image) => classifier.classify(image)));
    expect(results.map((r) => r.predictions[0]!.label)).toEqual(colours);
    const sizes = results.map((r) => r.timings.batchSize);
    expect(Math.max(...sizes)).toBeGreaterThan(1);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(4);
    for (const r of results) {
      expect(r.timings.preprocessMs).toBeGreaterThanOrEqual(0);
      expect(r.timings.inferenceMs).toBeGreaterThanOrEqual(0);
      expect(r.timings.runMs).toBeGreaterThan(0);
    }
  });

  it('fills whole batches of B when the timer is out of reach, rows back to the right images', async () => {
    // T = 10 s: every run below was triggered by reaching B = 4, so all 24 images ride in batches of 4.
    const sized = await open(model, options({ batchTimeoutMs: 10_000 }));
    const colours: ColourName[] = Array.from({ length: 24 }, (_, i) => (['blue', 'red', 'green', 'red', 'blue'] as const)[i % 5]!);
    const images = await Promise.all(colours.map((colour, i) => solidImage({ colour, width: 40, height: 30, seed: i + 100 })));
    const results = await Promise.all(images.map((image) => sized.classify(image)));
    expect(results.map((r) => r.timings.batchSize)).toEqual(Array(24).fill(4));
    expect(results.map((r) => r.predictions[0]!.label)).toEqual(colours);
  });

  it('fails a broken image with IMAGE_DECODE_FAILED and keeps serving the others', async () => {
    const broken = await brokenImages();
    // Both images exist before either classify starts: an await between the two calls would leave
    // the first (rejecting) promise without a handler for a moment.
    const red = await solidImage({ colour: 'red' });
    const [bad, good] = await Promise.allSettled([classifier.classify(broken.truncated), classifier.classify(red)]);
    expect(bad.status).toBe('rejected');
    expect((bad as PromiseRejectedResult).reason).toBeInstanceOf(AppError);
    expect(((bad as PromiseRejectedResult).reason as AppError).code).toBe('IMAGE_DECODE_FAILED');
    expect(good.status === 'fulfilled' && good.value.predictions[0]!.label).toBe('red');
    await expect(classifier.classify(broken.text)).rejects.toMatchObject({ code: 'IMAGE_DECODE_FAILED' });
    await expect(classifier.classify(await solidImage({ colour: 'red', width: 40, height: 40 }))).resolves.toBeDefined();
  });

  it('enforces maxInputPixels', async () => {
    const small = await open(model, options({ maxInputPixels: 100 }));
    await expect(small.classify(await solidImage({ colour: 'red', width: 20, height: 20 }))).rejects.toMatchObject({ code: 'IMAGE_TOO_LARGE' });
  });

  it('returns the features output when opened withFeatures', async () => {
    const withFeatures = await open(model, options({ withFeatures: true }));
    const [red, blue] = await Promise.all([
      withFeatures.classify(await solidImage({ colour: 'red' })),
      withFeatures.classify(await solidImage({ colour: 'blue' })),
    ]);
    for (const r of [red, blue]) {
      expect(r.features).toBeInstanceOf(Float32Array);
      expect(r.features).toHaveLength(CHANNELS);
    }
    // Features 0-2 are the identity paths of R, G and B: each row holds its own image's colour.
    expect(red.features![0]).toBeGreaterThan(red.features![2]!);
    expect(blue.features![2]).toBeGreaterThan(blue.features![0]!);
    expect(red.predictions[0]!.label).toBe('red');
    expect(blue.predictions[0]!.label).toBe('blue');
  });

  it('runs one image at a time when the manifest says the batch axis is fixed', async () => {
    const fixed = await open(await register('fixed', (m) => void (m.input.dynamicBatch = false)), options());
    const results = await Promise.all(
      (['red', 'green', 'blue', 'red', 'green', 'blue'] as const).map(async (c) => fixed.classify(await solidImage({ colour: c }))),
    );
    expect(results.map((r) => r.timings.batchSize)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(results.map((r) => r.predictions[0]!.label)).toEqual(['red', 'green', 'blue', 'red', 'green', 'blue']);
  });

  it('refuses withFeatures for a model without a features output (MODEL_INVALID)', async () => {
    const plain = await register('plain', (m) => void delete m.features);
    await expect(ImageClassifier.open(plain, options({ withFeatures: true }))).rejects.toMatchObject({ code: 'MODEL_INVALID' });
  });

  it('refuses a manifest that names an output the graph lacks (MODEL_INVALID)', async () => {
    const wrong = await register('wrong-output', (m) => void (m.output.name = 'logits'));
    await expect(ImageClassifier.open(wrong, options())).rejects.toMatchObject({ code: 'MODEL_INVALID', message: expect.stringContaining('logits') });
  });

  it('fails every image of a batch when the labels do not match the output width (MODEL_INVALID)', async () => {
    // T out of reach: the two images share one batch of 2, where row 0 alone would look fine.
    const mismatch = await open(
      await register('four-labels', (m) => void (m.labels = ['red', 'green', 'blue', 'violet'])),
      options({ batchSize: 2, batchTimeoutMs: 10_000 }),
    );
    const images = [await solidImage({ colour: 'red' }), await solidImage({ colour: 'green' })];
    const settled = await Promise.allSettled(images.map((image) => mismatch.classify(image)));
    for (const s of settled) {
      expect(s.status).toBe('rejected');
      expect((s as PromiseRejectedResult).reason).toMatchObject({ code: 'MODEL_INVALID' });
    }
  });

  it('refuses an ONNX file that is not a model (MODEL_INVALID)', async () => {
    const { manifest } = buildColourNet({ name: 'garbage', size: SIZE });
    await writeModel(dir, manifest, new TextEncoder().encode('definitely not protobuf'));
    // Refused when the registry loads it (header check), before a session is even tried.
    await expect(loadModel(dir, 'garbage').then((m) => ImageClassifier.open(m, options()))).rejects.toMatchObject({ code: 'MODEL_INVALID' });
  });

  it('close() waits for an image already in the micro-batcher', async () => {
    const c = await ImageClassifier.open(model, options({ batchTimeoutMs: 200 }));
    const pending = c.classify(await solidImage({ colour: 'green' }));
    // White-box wait (no sleep): until the decoded image sits in the batcher, waiting for T.
    const batcher = (c as unknown as { batcher: { busy: boolean } }).batcher;
    await expect.poll(() => batcher.busy, { timeout: 10_000, interval: 1 }).toBe(true);
    await c.close();
    expect((await pending).predictions[0]!.label).toBe('green');
  });

  it('a wrong features size in the manifest fails the image instead of returning misaligned features', async () => {
    const wrong = await open(
      await register('wrong-features', (m) => void (m.features = { name: 'features', size: CHANNELS + 1 })),
      options({ withFeatures: true, batchSize: 2, batchTimeoutMs: 10_000 }),
    );
    const images = [await solidImage({ colour: 'red' }), await solidImage({ colour: 'blue' })];
    const settled = await Promise.allSettled(images.map((image) => wrong.classify(image)));
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect((settled[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'MODEL_INVALID' });
  });
});
