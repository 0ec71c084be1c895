/**
 * Writes a model into the registry atomically: files go to a hidden staging folder that is renamed
 * into place, so a crash mid-write never leaves a half-registered model that workers would load.
 *
 * Safe under concurrency: writers of one name take its lock (store-lock.ts) and run one after the
 * other, so two registrations never race their renames (ENOTEMPTY) and the last one wins whole.
 * Under the lock a writer first cleans up after crashed ones: leftover staging folders go, and a
 * model moved aside by a writer that died between its two renames is put back. Readers that hit
 * the instant between the two renames wait for it (registry.ts, waitForSwap).
 */
import { copyFile, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors.js';
import { MANIFEST_FILE, ONNX_FILE } from './registry.js';
import type { ManifestInput } from './manifest.js';
import { recoverModelFolder, stagingName, withModelLock, type ModelLockOptions } from './store-lock.js';

/** A file stored next to model.onnx, e.g. external weights (`model.onnx.data`). */
export interface ModelFile {
  /** Where it goes, relative to the model's folder ('/'-separated; sub-folders allowed, no '..'). */
  path: string;
  /** Copied from this file... */
  from?: string;
  /** ...or written from these bytes. */
  data?: Uint8Array;
}

export interface WriteModelOptions extends ModelLockOptions {
  /** Extra files stored with the model (external data). */
  files?: readonly ModelFile[];
  /**
   * Number the model itself: the version of the model being replaced + 1 (1 when none), decided
   * under the lock so that two concurrent registrations get two different versions.
   */
  nextVersion?: boolean;
}

export interface WrittenModel {
  dir: string;
  /** The version written (differs from the manifest's when nextVersion is set). */
  version: number;
}

/** Checks a relative path for a file stored in a model folder: returns it '/'-separated. */
export function safeModelFilePath(relative: string): string {
  const posix = relative.replaceAll('\\', '/');
  const normal = path.posix.normalize(posix);
  if (
    posix.length === 0 ||
    posix.length > 512 ||
    path.posix.isAbsolute(posix) ||
    /^[A-Za-z]:/.test(posix) ||
    normal.startsWith('../') ||
    normal === '..' ||
    normal === '.' ||
    normal.split('/').some((part) => part === '' || part.startsWith('.')) ||
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f]/.test(posix)
  ) {
    throw new AppError('MODEL_EXTERNAL_DATA_INVALID', `"${relative.slice(0, 200)}" is not a plain relative path inside the model's folder`);
  }
  if (normal === MANIFEST_FILE || normal === ONNX_FILE) {
    throw new AppError('MODEL_EXTERNAL_DATA_INVALID', `"${relative}" would overwrite the model's own ${normal}`);
  }
  return normal;
}

async function writeDurably(file: string, data: Uint8Array | string): Promise<void> {
  const handle = await open(file, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function currentVersion(target: string): Promise<number> {
  try {
    const json = JSON.parse(await readFile(path.join(target, MANIFEST_FILE), 'utf8')) as { version?: unknown };
    return typeof json.version === 'number' && Number.isInteger(json.version) && json.version > 0 ? json.version : 0;
  } catch {
    return 0;
  }
}

/** {@link writeModel}, answering the version it wrote too. */
export async function storeModel(modelsDir: string, manifest: ManifestInput, onnx: Uint8Array, options: WriteModelOptions = {}): Promise<WrittenModel> {
  const files = (options.files ?? []).map((f) => ({ ...f, path: safeModelFilePath(f.path) }));
  await mkdir(modelsDir, { recursive: true });
  return withModelLock(
    modelsDir,
    manifest.name,
    async () => {
      const target = path.join(modelsDir, manifest.name);
      await recoverModelFolder(modelsDir, manifest.name);
      const version = options.nextVersion ? (await currentVersion(target)) + 1 : manifest.version;
      const staging = path.join(modelsDir, stagingName(manifest.name));
      const old = `${staging}-old`;
      await mkdir(staging);
      try {
        await writeDurably(path.join(staging, ONNX_FILE), onnx);
        for (const file of files) {
          const to = path.join(staging, ...file.path.split('/'));
          await mkdir(path.dirname(to), { recursive: true });
          if (file.data) await writeDurably(to, file.data);
          else if (file.from) await copyFile(file.from, to);
          else throw new AppError('INTERNAL', `model file ${file.path}: neither data nor a source file`);
        }
        // The manifest last: a staging folder with a manifest is complete.
        await writeDurably(path.join(staging, MANIFEST_FILE), `${JSON.stringify({ ...manifest, version }, null, 2)}\n`);
        // rename() cannot replace a non-empty folder: move the old one aside first, then drop it.
        // Readers that look in between see the `-old` folder and wait (registry.ts).
        const hadOld = await rename(target, old).then(
          () => true,
          (error: NodeJS.ErrnoException) => {
            if (error.code === 'ENOENT') return false;
            throw error;
          },
        );
        try {
          await rename(staging, target);
        } catch (error) {
          if (hadOld) await rename(old, target).catch(() => undefined);
          throw error;
        }
        if (hadOld) await rm(old, { recursive: true, force: true });
      } catch (error) {
        await rm(staging, { recursive: true, force: true });
        throw error;
      }
      return { dir: target, version };
    },
    options,
  );
}

/**
 * Registers `manifest` + `onnx` (+ `options.files`) as MODELS_DIR/<name>, replacing any model of
 * that name whole. Answers the model's folder.
 */
export async function writeModel(modelsDir: string, manifest: ManifestInput, onnx: Uint8Array, options: WriteModelOptions = {}): Promise<string> {
  return (await storeModel(modelsDir, manifest, onnx, options)).dir;
}
