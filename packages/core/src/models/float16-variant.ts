/**
 * Registers the fp16 variant of a registered model (onnx/float16.ts): same input, labels and
 * output, float16 weights and compute inside, float32 at the graph's edges. The new model's source
 * names the one it was made from. Models with external weights are refused (MODEL_INVALID).
 */
import { readFile } from 'node:fs/promises';
import { convertToFloat16 } from './onnx/float16.js';
import { loadModel } from './registry.js';
import type { ManifestInput } from './manifest.js';
import { writeModel } from './store.js';

export async function registerFloat16Variant(
  modelsDir: string,
  name: string,
  variantName = `${name}-fp16`,
): Promise<{ name: string; dir: string; bytes: { fp32: number; fp16: number } }> {
  const model = await loadModel(modelsDir, name);
  const fp32 = await readFile(model.onnxPath);
  const fp16 = convertToFloat16(fp32, model.onnxPath);
  // The fp32 file's facts (sizes, digests) do not describe the new file: the store records its own.
  const { version, onnx: _facts, ...manifest } = model.manifest as typeof model.manifest & { onnx?: unknown };
  const variant: ManifestInput = {
    ...manifest,
    name: variantName,
    version: 1,
    description: `${model.manifest.description ?? name} — float16 weights and compute, float32 input and output`,
    source: { ...model.manifest.source, float16Of: { model: name, version } },
  };
  const dir = await writeModel(modelsDir, variant, fp16, { nextVersion: true });
  return { name: variantName, dir, bytes: { fp32: fp32.length, fp16: fp16.length } };
}
