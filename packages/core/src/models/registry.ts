/**
 * The model registry is a folder: MODELS_DIR/<name>/{model.onnx, model.json}. It is re-read on
 * demand (cheap: manifests only), so a model registered by one process is seen by the others.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { AppError, describeError } from '../errors.js';
import { modelNameSchema, readManifest, type ModelManifest } from './manifest.js';
import { checkOnnxFile } from './onnx/sniff.js';
import { parseStagingName, waitForSwap } from './store-lock.js';

export interface RegisteredModel {
  manifest: ModelManifest;
  dir: string;
  onnxPath: string;
  onnxBytes: number;
}

export interface RegistryProblem {
  file: string;
  message: string;
}

export interface RegistrySnapshot {
  models: Map<string, RegisteredModel>;
  /** Folders that look like models but could not be loaded; listed, never fatal for the others. */
  problems: RegistryProblem[];
}

export const MANIFEST_FILE = 'model.json';
export const ONNX_FILE = 'model.onnx';

async function loadOne(dir: string): Promise<RegisteredModel> {
  const manifestPath = path.join(dir, MANIFEST_FILE);
  const manifest = await readManifest(manifestPath);
  if (manifest.name !== path.basename(dir)) {
    throw new AppError('MANIFEST_INVALID', `${manifestPath}: name "${manifest.name}" differs from its folder "${path.basename(dir)}"`);
  }
  const onnxPath = path.join(dir, ONNX_FILE);
  const info = await stat(onnxPath).catch(() => undefined);
  if (!info?.isFile() || info.size === 0) {
    throw new AppError('MODEL_INVALID', `${onnxPath}: missing or empty ONNX file`, { details: { file: onnxPath } });
  }
  // Not ONNX at all (text, an image, a Git LFS pointer, a truncated download): say so here, so the
  // registry lists the problem and a worker fails with it, rather than onnxruntime's parse error.
  await checkOnnxFile(onnxPath);
  return { manifest, dir, onnxPath, onnxBytes: info.size };
}

export async function scanModels(modelsDir: string): Promise<RegistrySnapshot> {
  const models = new Map<string, RegisteredModel>();
  const problems: RegistryProblem[] = [];
  const entries = await readdir(modelsDir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    // Folders starting with '.' are staging areas of in-progress registrations.
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const dir = path.join(modelsDir, entry.name);
    try {
      const model = await loadSettled(modelsDir, entry.name);
      models.set(model.manifest.name, model);
    } catch (error) {
      problems.push({ file: (error instanceof AppError && (error.details?.file as string)) || dir, message: describeError(error) });
    }
  }
  // A model whose writer was between its two renames when we listed the folder (store.ts).
  const swapping = new Set(
    entries
      .map((e) => parseStagingName(e.name))
      .filter((p) => p?.old)
      .map((p) => p!.model),
  );
  for (const name of swapping) {
    if (models.has(name) || !modelNameSchema.safeParse(name).success || !(await waitForSwap(modelsDir, name, 1_000))) continue;
    try {
      const model = await loadOne(path.join(modelsDir, name));
      models.set(name, model);
    } catch (error) {
      problems.push({ file: (error instanceof AppError && (error.details?.file as string)) || path.join(modelsDir, name), message: describeError(error) });
    }
  }
  return { models, problems };
}

/** loadOne, tried again once a registration that swapped the folder while we read it is done. */
async function loadSettled(modelsDir: string, name: string): Promise<RegisteredModel> {
  const dir = path.join(modelsDir, name);
  try {
    return await loadOne(dir);
  } catch (error) {
    if (!(await waitForSwap(modelsDir, name, 1_000))) throw error;
    return loadOne(dir);
  }
}

/** Loads one model by name; MODEL_NOT_FOUND when the folder is absent, the load error otherwise. */
export async function loadModel(modelsDir: string, name: string): Promise<RegisteredModel> {
  if (!modelNameSchema.safeParse(name).success) throw new AppError('MODEL_NOT_FOUND', `model "${name.slice(0, 64)}" is not registered`);
  const root = path.resolve(modelsDir);
  const dir = path.join(root, name);
  if (path.dirname(dir) !== root || name.startsWith('.')) {
    throw new AppError('MODEL_NOT_FOUND', `model "${name}" is not registered`);
  }
  const info = await stat(dir).catch(() => undefined);
  // Missing for an instant while a registration swaps folders: wait for it rather than say "not registered".
  if (!info?.isDirectory() && !(await waitForSwap(root, name, 1_000))) {
    throw new AppError('MODEL_NOT_FOUND', `model "${name}" is not registered in ${modelsDir}`);
  }
  return loadSettled(root, name);
}
