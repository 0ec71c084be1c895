/** The model a bench run measures: found in the model folders, or generated when it is a colour net. */
import { buildColourNet, loadModel, writeModel, type RegisteredModel } from '@hourglass/core';

/** Models the bench can make itself when they are not registered: the generated colour nets. */
const GENERATED: Record<string, { size: number; channels: number }> = {
  colours: { size: 64, channels: 16 },
  'colours-224': { size: 224, channels: 16 },
};

/** Finds a registered model in the model folders; generates the colour nets when missing. */
export async function resolveBenchModel(name: string, modelDirs: readonly string[]): Promise<{ model: RegisteredModel; modelsDir: string }> {
  let lastError: unknown;
  for (const dir of modelDirs) {
    try {
      return { model: await loadModel(dir, name), modelsDir: dir };
    } catch (error) {
      lastError = error;
    }
  }
  const generated = Object.hasOwn(GENERATED, name) ? GENERATED[name] : undefined;
  if (!generated) throw lastError;
  const dir = modelDirs.at(-1)!;
  const { manifest, onnx } = buildColourNet({ name, ...generated });
  await writeModel(dir, manifest, onnx);
  return { model: await loadModel(dir, name), modelsDir: dir };
}
