/**
 * The WebGPU execution provider on software Vulkan (Mesa lavapipe; scripts/ci/install-lavapipe.sh):
 * an inline session and an inference thread asked for `webgpu` open on webgpu with no fallback,
 * and give the CPU provider's outputs within 1e-4, for the generated CNN, timm-shaped BYO exports
 * (a convnet and a ViT with external weights) and the bundled MobileNetV2. Both preferred layouts
 * are accepted and agree. Without a Vulkan driver these tests fail (test/helpers/vulkan.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, writeModel } from '@hourglass/core';
import { importBundledModels } from '@hourglass/core/importers';
import {
  InferenceThread,
  InlineInference,
  buildColourNet,
  writeTimmLikeExport,
  type InferenceEngine,
  type ProviderSpec,
  type ThreadInit,
} from '@hourglass/core/testing';
import { requireVulkanDriver } from '../../helpers/vulkan.js';

const BOUND = 1e-4;
const BATCH = 3;

interface Case {
  name: string;
  onnxPath: string;
  inputName: string;
  outputName: string;
  itemDims: number[];
}

let dir: string;
const cases: Case[] = [];

/** Deterministic floats around the normalised-pixel range. */
function batchInput(itemDims: number[], batch: number): Float32Array {
  const input = new Float32Array(batch * itemDims.reduce((a, b) => a * b, 1));
  for (let i = 0; i < input.length; i++) input[i] = ((i * 7919) % 1000) / 500 - 1;
  return input;
}

async function runOn(c: Case, provider: ProviderSpec, where: 'thread' | 'inline'): Promise<{ ep: string; fallbackReason?: string; output: Float32Array }> {
  const init: ThreadInit = { onnxPath: c.onnxPath, provider, intraOpThreads: 1, inputName: c.inputName, itemDims: c.itemDims, outputNames: [c.outputName] };
  const engine: InferenceEngine = where === 'thread' ? new InferenceThread(init) : new InlineInference(init);
  try {
    const info = await engine.start();
    const { outputs } = await engine.run(batchInput(c.itemDims, BATCH), BATCH);
    return { ep: info.ep, ...(info.fallbackReason ? { fallbackReason: info.fallbackReason } : {}), output: outputs[c.outputName]! };
  } finally {
    await engine.close();
  }
}

const maxAbsDiff = (a: Float32Array, b: Float32Array): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

beforeAll(async () => {
  requireVulkanDriver();
  dir = await mkdtemp(path.join(os.tmpdir(), 'hg-webgpu-'));
  const colour = buildColourNet({ name: 'colours', size: 32, channels: 8 });
  await writeModel(path.join(dir, 'models'), colour.manifest, colour.onnx);
  const colourModel = await loadModel(path.join(dir, 'models'), 'colours');
  cases.push({
    name: 'generated colour CNN',
    onnxPath: colourModel.onnxPath,
    inputName: colourModel.manifest.input.name,
    outputName: colourModel.manifest.output.name,
    itemDims: [3, 32, 32],
  });
  for (const arch of ['convnet', 'vit'] as const) {
    const exported = await writeTimmLikeExport(path.join(dir, arch), { arch, size: 64, weights: 'external' });
    cases.push({
      name: `timm-like ${arch} (BYO export, external weights)`,
      onnxPath: exported.onnxPath,
      inputName: exported.model.inputName,
      outputName: exported.model.outputName,
      itemDims: [3, 64, 64],
    });
  }
  await importBundledModels(path.join(dir, 'models'), { only: ['mobilenet-v2'] });
  const mnv2 = await loadModel(path.join(dir, 'models'), 'mobilenet-v2');
  const { input } = mnv2.manifest;
  cases.push({
    name: 'bundled mobilenet-v2',
    onnxPath: mnv2.onnxPath,
    inputName: input.name,
    outputName: mnv2.manifest.output.name,
    itemDims: input.layout === 'NCHW' ? [3, input.height, input.width] : [input.height, input.width, 3],
  });
}, 300_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('WebGPU provider on software Vulkan', () => {
  it('every model runs on webgpu, inline and on the inference thread, within 1e-4 of the cpu provider', async () => {
    expect(cases.map((c) => c.name)).toHaveLength(4);
    for (const c of cases) {
      const cpu = await runOn(c, { ep: 'cpu' }, 'inline');
      for (const where of ['inline', 'thread'] as const) {
        const gpu = await runOn(c, { ep: 'webgpu' }, where);
        console.log(`webgpu ${where} ${c.name}: ep ${gpu.ep}, max |Δ| vs cpu ${maxAbsDiff(gpu.output, cpu.output).toExponential(2)}`);
        expect({ model: c.name, where, ep: gpu.ep, fallbackReason: gpu.fallbackReason }).toEqual({
          model: c.name,
          where,
          ep: 'webgpu',
          fallbackReason: undefined,
        });
        expect(gpu.output.length).toBe(cpu.output.length);
        expect(maxAbsDiff(gpu.output, cpu.output), `${c.name} (${where})`).toBeLessThan(BOUND);
      }
    }
  }, 600_000);

  it('preferredLayout NCHW and NHWC are both accepted and give the same outputs', async () => {
    for (const c of [cases[0]!, cases[1]!]) {
      const cpu = await runOn(c, { ep: 'cpu' }, 'inline');
      for (const preferredLayout of ['NCHW', 'NHWC']) {
        const gpu = await runOn(c, { ep: 'webgpu', options: { preferredLayout } }, 'inline');
        expect({ ep: gpu.ep, fallbackReason: gpu.fallbackReason }).toEqual({ ep: 'webgpu', fallbackReason: undefined });
        expect(maxAbsDiff(gpu.output, cpu.output), `${c.name} ${preferredLayout}`).toBeLessThan(BOUND);
      }
    }
  }, 300_000);

  it('an option the provider does not know is refused, and the session falls back to cpu saying why', async () => {
    const c = cases[0]!;
    const result = await runOn(c, { ep: 'webgpu', options: { noSuchOption: 'x' } }, 'inline');
    expect(result.ep).toBe('cpu');
    expect(result.fallbackReason).toMatch(/^webgpu execution provider failed to start: .*noSuchOption/);
  }, 120_000);
});
