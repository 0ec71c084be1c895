/**
 * Writes a model into the registry atomically: files go to a hidden staging folder that is renamed
 * into place, so a crash mid-write never leaves a half-registered model that workers would load.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { MANIFEST_FILE, ONNX_FILE } from './registry.js';
import type { ManifestInput } from './manifest.js';

export async function writeModel(modelsDir: string, manifest: ManifestInput, onnx: Uint8Array): Promise<string> {
  const target = path.join(modelsDir, manifest.name);
  const staging = path.join(modelsDir, `.staging-${manifest.name}-${randomUUID()}`);
  await mkdir(staging, { recursive: true });
  try {
    await writeFile(path.join(staging, ONNX_FILE), onnx);
    await writeFile(path.join(staging, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    // rename() cannot replace a non-empty folder: move the old one aside first, then drop it.
    const old = `${staging}-old`;
    await rename(target, old).catch(() => undefined);
    await rename(staging, target);
    await rm(old, { recursive: true, force: true });
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  return target;
}
