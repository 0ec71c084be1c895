/**
 * The three pretrained CNNs inside the nsfwjs package, converted to ONNX and registered as
 * `mobilenet-v2` (speed), `mobilenet-v2-mid` (control) and `inception-v3` (accuracy). Each exposes
 * `probabilities` [batch, 5] and its pooled backbone `features` [batch, F] (the input of the first
 * dense layer), which train jobs use as a frozen backbone.
 *
 * Cached: a model whose model.json carries the same `source.importer` fingerprint (nsfwjs version +
 * importer version) is left alone, so a second run costs a few manifest reads.
 */
import path from 'node:path';
import { AppError, describeError } from '../../errors.js';
import type { ManifestInput } from '../manifest.js';
import { loadModel } from '../registry.js';
import { writeModel } from '../store.js';
import type { ConvertedModel } from './converted-model.js';
import { convertKerasModel } from './keras-to-onnx.js';
import { findNsfwjsPackage, type NsfwjsPackage } from './nsfwjs-package.js';
import { convertTfGraphModel, type TfGraphSignature } from './tf-graph-to-onnx.js';
import { readTfjsModel } from './tfjs-artifacts.js';
import { decodeTfjsWeights } from './tfjs-weights.js';

/** Bump when a change to the importers changes the ONNX they write: cached imports are redone. */
export const BUNDLED_IMPORTER_VERSION = 1;

/** nsfwjs's classes, in its output order (nsfw_classes.js). */
export const NSFWJS_LABELS = ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'] as const;

export type BundledModelName = 'mobilenet-v2' | 'mobilenet-v2-mid' | 'inception-v3';

export interface BundledModelSpec {
  name: BundledModelName;
  /** Folder under nsfwjs/dist/models. */
  folder: string;
  format: 'layers-model' | 'graph-model';
  /** The square side nsfwjs resizes to. */
  size: number;
  role: 'speed' | 'control' | 'accuracy';
  description: string;
}

export const BUNDLED_MODELS: readonly BundledModelSpec[] = [
  {
    name: 'mobilenet-v2',
    folder: 'mobilenet_v2',
    format: 'layers-model',
    size: 224,
    role: 'speed',
    description: 'MobileNetV2 (Keras, 224×224) fine-tuned by nsfwjs; 1280-d pooled features.',
  },
  {
    name: 'mobilenet-v2-mid',
    folder: 'mobilenet_v2_mid',
    format: 'graph-model',
    size: 224,
    role: 'control',
    description: 'MobileNetV2 width 1.4 (TF-Hub feature vector, TF graph model, 224×224) with an nsfwjs head; 1792-d pooled features.',
  },
  {
    name: 'inception-v3',
    folder: 'inception_v3',
    format: 'layers-model',
    size: 299,
    role: 'accuracy',
    description: 'InceptionV3 (Keras, 299×299) fine-tuned by nsfwjs; 2048-d pooled features.',
  },
];

export function bundledImporterFingerprint(nsfwjsVersion: string): string {
  return `nsfwjs@${nsfwjsVersion}+hourglass-importer@${BUNDLED_IMPORTER_VERSION}`;
}

export interface ConvertedBundledModel {
  manifest: ManifestInput;
  onnx: Uint8Array;
  converted: ConvertedModel;
}

/** Reads one bundled model from the nsfwjs package and converts it; writes nothing. */
export async function convertBundledModel(spec: BundledModelSpec, pkg?: NsfwjsPackage): Promise<ConvertedBundledModel> {
  const nsfwjs = pkg ?? (await findNsfwjsPackage());
  const dir = path.join(nsfwjs.dir, 'dist', 'models', spec.folder);
  const artifacts = await readTfjsModel(dir);
  const weights = decodeTfjsWeights(artifacts);
  const fingerprint = bundledImporterFingerprint(nsfwjs.version);
  const options = {
    graphName: spec.name,
    doc: `${spec.description} Converted from nsfwjs@${nsfwjs.version} dist/models/${spec.folder} by hourglass.`,
    metadata: { source: `nsfwjs@${nsfwjs.version}/dist/models/${spec.folder}`, importer: fingerprint, labels: NSFWJS_LABELS.join(',') },
  };
  const converted =
    spec.format === 'layers-model'
      ? convertKerasModel(artifacts.modelJson.modelTopology, weights, options)
      : convertTfGraphModel(artifacts.modelJson.modelTopology, weights, {
          ...options,
          signature: (artifacts.modelJson.userDefinedMetadata?.signature as TfGraphSignature | undefined) ?? {},
        });
  if (converted.output.size !== NSFWJS_LABELS.length) {
    throw new AppError('MODEL_INVALID', `${dir}: ${converted.output.size} outputs, expected the ${NSFWJS_LABELS.length} nsfwjs classes`);
  }
  if (!converted.features) throw new AppError('MODEL_INVALID', `${dir}: no dense layer, so no pooled features to expose`);
  if (converted.input.width !== spec.size || converted.input.height !== spec.size || converted.input.channels !== 3) {
    throw new AppError(
      'MODEL_INVALID',
      `${dir}: input ${converted.input.width}x${converted.input.height}x${converted.input.channels}, expected ${spec.size}x${spec.size}x3`,
    );
  }
  const manifest: ManifestInput = {
    name: spec.name,
    version: BUNDLED_IMPORTER_VERSION,
    description: spec.description,
    input: {
      name: converted.input.name,
      layout: 'NCHW',
      width: spec.size,
      height: spec.size,
      // nsfwjs feeds pixel / 255 (core.js infer: img.toFloat().div(255)); the mid model scales to
      // [-1, 1] inside its own graph, so all three take [0, 1] here.
      mean: [0, 0, 0],
      std: [1, 1, 1],
      // nsfwjs stretches to a square (tf.image.resizeBilinear, alignCorners) without cropping.
      resize: 'fill',
      dynamicBatch: true,
    },
    output: { name: converted.output.name, kind: converted.output.kind },
    features: converted.features,
    labels: [...NSFWJS_LABELS],
    source: {
      kind: 'bundled',
      description: `Pretrained ${spec.format} from the nsfwjs npm package (dist/models/${spec.folder}), converted offline to ONNX.`,
      licence: 'MIT',
      url: 'https://github.com/infinitered/nsfwjs',
      package: `nsfwjs@${nsfwjs.version}`,
      model: spec.folder,
      format: spec.format,
      role: spec.role,
      importer: fingerprint,
      taxonomy:
        'The five labels are nsfwjs\'s NSFW taxonomy, kept as metadata; hourglass uses these backbones for their "features" output (frozen embeddings for trained heads), not for these classes.',
      preprocessing:
        'nsfwjs: pixel/255, bilinear resize (alignCorners) to a square; hourglass: sharp resize fill, pixel/255. The resamplers differ slightly; the graphs are identical.',
      sourceOps: converted.sourceOps,
      onnxOps: converted.onnxOps,
    },
    batching: { size: 16, timeoutMs: 10 },
    topK: 5,
  };
  return { manifest, onnx: converted.onnx, converted };
}

export interface ImportBundledOptions {
  /** Only these models (names as registered). Default: all three. */
  only?: readonly string[];
  /** One line per model: imported (with its time) or cached. */
  log?: (line: string) => void;
  /** Re-import even when the fingerprint matches. */
  force?: boolean;
}

export interface ImportBundledResult {
  name: BundledModelName;
  status: 'imported' | 'cached';
  dir: string;
  ms: number;
}

async function isCurrent(modelsDir: string, name: string, fingerprint: string): Promise<string | undefined> {
  try {
    // Absolute: loadModel compares the folder against path.resolve(modelsDir).
    const model = await loadModel(path.resolve(modelsDir), name);
    return model.manifest.source.importer === fingerprint ? model.dir : undefined;
  } catch {
    return undefined;
  }
}

/** Converts and registers the bundled models into `modelsDir`; models already imported by this importer version are skipped. */
export async function importBundledModels(modelsDir: string, options: ImportBundledOptions = {}): Promise<ImportBundledResult[]> {
  const known = new Set<string>(BUNDLED_MODELS.map((m) => m.name));
  for (const name of options.only ?? []) {
    if (!known.has(name)) throw new AppError('MODEL_NOT_FOUND', `"${name}" is not a bundled model (bundled: ${[...known].join(', ')})`);
  }
  const wanted = BUNDLED_MODELS.filter((m) => !options.only || options.only.includes(m.name));
  const pkg = await findNsfwjsPackage();
  const fingerprint = bundledImporterFingerprint(pkg.version);
  const results: ImportBundledResult[] = [];
  for (const spec of wanted) {
    const t0 = performance.now();
    const current = options.force ? undefined : await isCurrent(modelsDir, spec.name, fingerprint);
    if (current) {
      results.push({ name: spec.name, status: 'cached', dir: current, ms: performance.now() - t0 });
      options.log?.(`${spec.name}: up to date (${fingerprint})`);
      continue;
    }
    let converted: ConvertedBundledModel;
    try {
      converted = await convertBundledModel(spec, pkg);
    } catch (error) {
      throw new AppError('MODEL_INVALID', `importing ${spec.name} from nsfwjs@${pkg.version} failed: ${describeError(error)}`, { cause: error });
    }
    const dir = await writeModel(modelsDir, converted.manifest, converted.onnx);
    const ms = performance.now() - t0;
    results.push({ name: spec.name, status: 'imported', dir, ms });
    options.log?.(
      `${spec.name}: imported in ${(ms / 1000).toFixed(1)} s (${(converted.onnx.byteLength / 1e6).toFixed(1)} MB, features ${converted.converted.features?.size})`,
    );
  }
  return results;
}
