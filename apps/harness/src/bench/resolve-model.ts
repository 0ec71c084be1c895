/** The model a bench run measures: found in the model folders, or generated (colour nets, the blog's architectures). */
import { loadModel, writeModel, type RegisteredModel } from '@hourglass/core';
import { buildBlogModel, buildColourNet, isBlogModelName } from '@hourglass/core/testing';

/** Models the bench can make itself when they are not registered: the generated colour nets. */
const GENERATED: Record<string, { size: number; channels: number }> = {
  colours: { size: 64, channels: 16 },
  'colours-224': { size: 224, channels: 16 },
};

/** Finds a registered model in the model folders; generates the colour nets and blog architectures when missing. */
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
  if (!generated && !isBlogModelName(name)) throw lastError;
  const dir = modelDirs.at(-1)!;
  // The blog's architectures (levit-128s-gen, levit-256-gen, beit-base-gen): random weights, speed only.
  const { manifest, onnx } = generated ? buildColourNet({ name, ...generated }) : buildBlogModel(name as Parameters<typeof buildBlogModel>[0]);
  await writeModel(dir, manifest, onnx);
  return { model: await loadModel(dir, name), modelsDir: dir };
}
