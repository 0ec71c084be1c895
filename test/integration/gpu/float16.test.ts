/**
 * The fp16 conversion pass on real models, on the CPU provider and on WebGPU (software Vulkan):
 * the bundled MobileNetV2 and a ViT-shaped BYO export, registered as fp16 variants (half the
 * bytes, float32 input and output), give the fp32 model's answers within a stated bound:
 *   - MobileNetV2 probabilities: max |Δ| < 0.02 and the same top-1 on every image (measured on
 *     lavapipe: 4.5e-3 on cpu, 7.2e-3 on webgpu);
 *   - ViT-shaped logits: max |Δ| < 0.01 × the largest |logit|.
 * fp16 keeps 11 significant bits (relative error ≤ 2^-11 per value); these bounds leave room for
 * that error accumulating through the network, and would catch a wrong conversion (a weight
 * read as the wrong type, a missing Cast) many times over.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageClassifier, loadModel } from '@hourglass/core';
import { importBundledModels } from '@hourglass/core/importers';
import { InlineInference, convertToFloat16, registerFloat16Variant, toHalf, writeTimmLikeExport, type ProviderSpec } from '@hourglass/core/testing';
import { requireVulkanDriver } from '../../helpers/vulkan.js';

const reference = (await import(fileURLToPath(new URL('../../../scripts/nsfwjs-reference.mjs', import.meta.url)))) as {
  generateImages(count: number): Promise<Array<{ name: string; bytes: Buffer }>>;
};
let dir: string;
let files: string[];
const PROVIDERS: ProviderSpec[] = [{ ep: 'cpu' }, { ep: 'webgpu' }];

beforeAll(async () => {
  requireVulkanDriver();
  dir = await mkdtemp(path.join(os.tmpdir(), 'hg-fp16-'));
  await importBundledModels(path.join(dir, 'models'), { only: ['mobilenet-v2'] });
  await mkdir(path.join(dir, 'images'));
  files = [];
  for (const image of await reference.generateImages(8)) {
    files.push(path.join(dir, 'images', image.name));
    await writeFile(files.at(-1)!, image.bytes);
  }
}, 300_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('fp16 conversion', () => {
  it('rounds to the nearest half, saturating instead of overflowing', () => {
    expect([1, -2, 0.1, 65504, 1e6, 1e-8, 6e-8, -0].map(toHalf)).toEqual([0x3c00, 0xc000, 0x2e66, 0x7bff, 0x7bff, 0, 1, 0x8000]);
  });

  it('the bundled MobileNetV2 in fp16: half the bytes, probabilities within 0.02 and the same top-1, on cpu and webgpu', async () => {
    const variant = await registerFloat16Variant(path.join(dir, 'models'), 'mobilenet-v2');
    expect(variant.bytes.fp16).toBeLessThan(0.55 * variant.bytes.fp32);
    const fp32 = await loadModel(path.join(dir, 'models'), 'mobilenet-v2');
    const fp16 = await loadModel(path.join(dir, 'models'), variant.name);
    expect(fp16.manifest.source).toMatchObject({ float16Of: { model: 'mobilenet-v2' } });
    const classify = async (model: typeof fp32, provider: ProviderSpec): Promise<Array<Map<string, number>>> => {
      const classifier = await ImageClassifier.open(model, {
        provider,
        intraOpThreads: 2,
        batchSize: 8,
        batchTimeoutMs: 5,
        maxInputPixels: 64e6,
        preprocessConcurrency: 4,
      });
      try {
        expect(classifier.info).toMatchObject({ ep: provider.ep });
        expect(classifier.info.fallbackReason).toBeUndefined();
        const results = await Promise.all(files.map((f) => classifier.classify(f)));
        return results.map((r) => new Map(r.predictions.map((p) => [p.label, p.confidence])));
      } finally {
        await classifier.close();
      }
    };
    const expected = await classify(fp32, { ep: 'cpu' });
    for (const provider of PROVIDERS) {
      const got = await classify(fp16, provider);
      let worst = 0;
      got.forEach((probabilities, i) => {
        expect([...probabilities.keys()][0], `${provider.ep} top-1 of ${files[i]}`).toBe([...expected[i]!.keys()][0]);
        for (const [label, p] of expected[i]!) worst = Math.max(worst, Math.abs((probabilities.get(label) ?? 0) - p));
      });
      console.log(`mobilenet-v2 fp16 on ${provider.ep}: max |Δ probability| vs fp32 ${worst.toExponential(2)}`);
      expect(worst).toBeLessThan(0.02);
    }
  }, 600_000);

  it('a ViT-shaped export in fp16: logits within 1% of the largest, on cpu and webgpu; external weights are refused', async () => {
    const exported = await writeTimmLikeExport(path.join(dir, 'vit'), { arch: 'vit', size: 32, width: 32, weights: 'inline' });
    const fp32 = { onnxPath: exported.onnxPath };
    const fp16 = { onnxPath: path.join(dir, 'vit', 'model-fp16.onnx') };
    await writeFile(fp16.onnxPath, convertToFloat16(exported.model.onnx));
    const input = (): Float32Array => Float32Array.from({ length: 4 * 3 * 32 * 32 }, (_, i) => ((i * 7919) % 1000) / 500 - 1);
    const run = async (onnxPath: string, provider: ProviderSpec): Promise<Float32Array> => {
      const engine = new InlineInference({
        onnxPath,
        provider,
        intraOpThreads: 2,
        inputName: exported.model.inputName,
        itemDims: [3, 32, 32],
        outputNames: [exported.model.outputName],
      });
      try {
        expect((await engine.start()).ep).toBe(provider.ep);
        return (await engine.run(input(), 4)).outputs[exported.model.outputName]!;
      } finally {
        await engine.close();
      }
    };
    const expected = await run(fp32.onnxPath, { ep: 'cpu' });
    const scale = expected.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    for (const provider of PROVIDERS) {
      const got = await run(fp16.onnxPath, provider);
      const worst = got.reduce((m, v, i) => Math.max(m, Math.abs(v - expected[i]!)), 0);
      console.log(`vit-shaped fp16 on ${provider.ep}: max |Δ logit| ${worst.toExponential(2)} (largest |logit| ${scale.toFixed(3)})`);
      expect(worst).toBeLessThan(0.01 * scale);
    }
    const external = await writeTimmLikeExport(path.join(dir, 'vit-ext'), { arch: 'vit', size: 32, weights: 'external' });
    expect(() => convertToFloat16(external.model.onnx)).toThrow(/external data/);
  }, 600_000);
});
