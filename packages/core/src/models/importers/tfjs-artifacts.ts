/**
 * Reads a TF.js model folder into its topology and raw weight bytes, in either form:
 * - the converter's own: `model.json` + binary shards named in `weightsManifest[].paths`;
 * - nsfwjs's bundled form: `model.min.js` (the same JSON as a UMD bundle) + `<path>.min.js` shards,
 *   each a UMD bundle exporting the shard's bytes as one base64 string.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../errors.js';
import { readUmdExport } from './umd-bundle.js';

/** One entry of a weights manifest group (tfjs-core io types). */
export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool' | 'string' | 'complex64';
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; min?: number; scale?: number };
}

export interface TfjsWeightsGroup {
  paths: string[];
  weights: TfjsWeightSpec[];
}

export interface TfjsModelJson {
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
  modelTopology: unknown;
  weightsManifest: TfjsWeightsGroup[];
  userDefinedMetadata?: Record<string, unknown>;
}

export interface TfjsArtifacts {
  dir: string;
  modelJson: TfjsModelJson;
  /** The bytes of each manifest group, its shards concatenated in order. */
  groupData: Uint8Array[];
}

async function exists(file: string): Promise<boolean> {
  return (await stat(file).catch(() => undefined))?.isFile() ?? false;
}

function asModelJson(value: unknown, file: string): TfjsModelJson {
  const json = value as Partial<TfjsModelJson> | null;
  if (!json || typeof json !== 'object' || !json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new AppError('MODEL_INVALID', `${file}: not a TF.js model (no modelTopology / weightsManifest)`, { details: { file } });
  }
  return json as TfjsModelJson;
}

async function readShard(dir: string, shard: string, bundled: boolean): Promise<Uint8Array> {
  if (path.isAbsolute(shard) || shard.split(/[\\/]/).includes('..')) {
    throw new AppError('MODEL_INVALID', `${dir}: weight shard path "${shard}" leaves the model folder`);
  }
  if (!bundled) return new Uint8Array(await readFile(path.join(dir, shard)));
  const file = path.join(dir, `${shard}.min.js`);
  const base64 = await readUmdExport(file);
  if (typeof base64 !== 'string') throw new AppError('MODEL_INVALID', `${file}: the bundle does not export a base64 string`, { details: { file } });
  return new Uint8Array(Buffer.from(base64, 'base64'));
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}

export async function readTfjsModel(dir: string): Promise<TfjsArtifacts> {
  const plain = path.join(dir, 'model.json');
  const bundledFile = path.join(dir, 'model.min.js');
  let modelJson: TfjsModelJson;
  let bundled: boolean;
  if (await exists(plain)) {
    bundled = false;
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(plain, 'utf8'));
    } catch (cause) {
      throw new AppError('MODEL_INVALID', `${plain}: not valid JSON (${(cause as Error).message})`, { cause, details: { file: plain } });
    }
    modelJson = asModelJson(parsed, plain);
  } else if (await exists(bundledFile)) {
    bundled = true;
    modelJson = asModelJson(await readUmdExport(bundledFile), bundledFile);
  } else {
    throw new AppError('MODEL_INVALID', `${dir}: no model.json or model.min.js`, { details: { file: dir } });
  }
  const groupData: Uint8Array[] = [];
  for (const group of modelJson.weightsManifest) {
    groupData.push(concat(await Promise.all(group.paths.map((p) => readShard(dir, p, bundled)))));
  }
  return { dir, modelJson, groupData };
}
