/**
 * Bring your own ONNX model: inspect → settle every setting → run one dummy batch → register.
 *
 * Each setting comes from, in order: the caller (CLI flags / REST fields), the export folder's
 * model.json and labels file, the graph (a fixed spatial size, the class count, Softmax at the
 * end), then the defaults (ImageNet mean/std, 224 × 224, resize 'cover', labels class_0..N-1).
 * The model is stored with writeModel (atomic, locked per name) together with its external data
 * files at the same relative locations, as version = the registered version + 1.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { AppError } from '../../errors.js';
import { modelNameSchema, type ManifestInput } from '../manifest.js';
import { loadModel } from '../registry.js';
import { storeModel, type ModelFile } from '../store.js';
import { BUNDLED_MODELS } from '../importers/nsfwjs-bundled.js';
import { runDummyBatch } from './dummy-run.js';
import { resolveExportSource, type ExportSource } from './export-folder.js';
import { inspectOnnxBytes, readOnnxFile, verifyExternalData, type OnnxInspection } from './inspect.js';
import { checkLabels, DEFAULT_MEAN, DEFAULT_RESIZE, DEFAULT_SIZE, DEFAULT_STD, type RegistrationSettings, type Triple } from './options.js';

export interface RegisterOnnxOptions extends RegistrationSettings {
  /** Extra fields for the manifest's `source` (e.g. how it was registered). */
  source?: Record<string, unknown>;
  /** Called with each warning as it is found (the result lists them too). */
  onWarning?: (warning: string) => void;
  /** Limit for loading + running the dummy batch. Default 5 min. */
  runTimeoutMs?: number;
  /** Address space the dummy batch's process may use (DEFAULT_MODEL_CHECK_MEMORY_BYTES). */
  memoryLimitBytes?: number;
}

/** What the registry's model.json records about the ONNX file (kept beside the manifest fields). */
export interface OnnxFacts {
  opset: number | null;
  irVersion: number | null;
  producer: string;
  params: number;
  ops: string[];
  sha256: string;
  inputShape: Array<number | string | null>;
  outputShape: Array<number | string | null> | null;
  externalData: Array<{ path: string; bytes: number; tensors: number }>;
}

export interface RegisteredOnnx {
  name: string;
  version: number;
  dir: string;
  manifest: ManifestInput & { onnx: OnnxFacts };
  inspection: OnnxInspection;
  warnings: string[];
  /** Dummy batch: its size and run time. */
  validation: { batch: number; ms: number };
}

const invalid = (message: string): AppError => new AppError('VALIDATION_FAILED', message);

/** A name for the registry from a file or folder name, when neither --name nor model.json gives one. */
function nameFrom(source: ExportSource): string {
  const stem = path.basename(source.onnxPath, path.extname(source.onnxPath));
  const base = stem === 'model' ? path.basename(source.dir) : stem;
  return base
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 64);
}

/** The source kind of the model registered under `name`, if one loads. */
async function registeredKind(modelsDir: string, name: string): Promise<string | undefined> {
  try {
    return (await loadModel(path.resolve(modelsDir), name)).manifest.source.kind;
  } catch {
    return undefined;
  }
}

/** Registers an ONNX file or export folder into `modelsDir` (see the module comment). */
export async function registerOnnxModel(modelsDir: string, fileOrFolder: string, options: RegisterOnnxOptions = {}): Promise<RegisteredOnnx> {
  const source = await resolveExportSource(fileOrFolder);
  const meta = source.metadata;
  const warnings: string[] = [];
  const warn = (w: string): void => {
    warnings.push(w);
    options.onWarning?.(w);
  };

  // Name first: a bad name should fail before a 300 MB file is read.
  const name = options.name ?? meta?.name ?? nameFrom(source);
  if (!modelNameSchema.safeParse(name).success) {
    throw invalid(
      `name "${name.slice(0, 80)}" is not a valid model name: lower-case letters, digits, ".", "_" and "-", at most 64 characters${options.name ? '' : ' (pass --name)'}`,
    );
  }
  if (BUNDLED_MODELS.some((m) => m.name === name)) {
    throw invalid(`"${name}" is the name of a bundled model (npm run models:import would overwrite it); choose another name`);
  }

  const bytes = await readOnnxFile(source.onnxPath);
  const inspection = inspectOnnxBytes(bytes, source.onnxPath, {
    ...((options.input ?? meta?.input?.name) ? { input: options.input ?? meta?.input?.name } : {}),
    ...((options.output ?? meta?.output?.name) ? { output: options.output ?? meta?.output?.name } : {}),
  });
  inspection.warnings.forEach(warn);
  const external = await verifyExternalData(source.dir, inspection.externalData);

  // Size: a fixed graph size wins; a conflicting explicit one is an error, not a silent override.
  const { input } = inspection;
  const asked = options.size ?? (meta?.input?.width && meta.input.height ? { width: meta.input.width, height: meta.input.height } : undefined);
  if (asked && input.width !== undefined && input.height !== undefined && (asked.width !== input.width || asked.height !== input.height)) {
    throw invalid(`size ${asked.width}x${asked.height} does not fit the graph, whose input "${input.name}" is fixed at ${input.width}x${input.height}`);
  }
  const width = input.width ?? asked?.width ?? DEFAULT_SIZE;
  const height = input.height ?? asked?.height ?? DEFAULT_SIZE;
  if (meta?.input?.layout && meta.input.layout !== input.layout) {
    warn(`${source.metadataFile}: layout ${meta.input.layout} differs from the graph's input, which is ${input.layout}; using ${input.layout}`);
  }

  const run = await runDummyBatch(source.onnxPath, { ...input, width, height }, inspection.output.name, {
    ...(options.runTimeoutMs ? { timeoutMs: options.runTimeoutMs } : {}),
    ...(options.memoryLimitBytes ? { memoryLimitBytes: options.memoryLimitBytes } : {}),
  });
  run.warnings.forEach(warn);
  if (inspection.output.classes !== undefined && inspection.output.classes !== run.classes) {
    throw new AppError(
      'MODEL_NO_CLASS_OUTPUT',
      `${source.onnxPath}: output "${inspection.output.name}" declares ${inspection.output.classes} classes but produced ${run.classes}`,
    );
  }
  const classes = run.classes;

  let labels: string[];
  let labelsFrom: string;
  if (options.labels) [labels, labelsFrom] = [checkLabels(options.labels), 'the labels given'];
  else if (meta?.labels) [labels, labelsFrom] = [meta.labels, source.metadataFile ?? 'model.json'];
  else if (source.labels) [labels, labelsFrom] = [source.labels, source.labelsFile ?? 'labels file'];
  else [labels, labelsFrom] = [Array.from({ length: classes }, (_, i) => `class_${i}`), 'defaults'];
  if (labels.length !== classes) {
    throw invalid(`${labelsFrom} has ${labels.length} labels, but output "${inspection.output.name}" has ${classes} classes`);
  }

  const kind = options.output === undefined && meta?.output?.kind ? meta.output.kind : inspection.output.kind;
  if (kind !== inspection.output.kind)
    warn(`${source.metadataFile}: output kind "${kind}" kept, though the graph ${inspection.output.kind === 'logits' ? 'does not end' : 'ends'} in Softmax`);

  if ((await registeredKind(modelsDir, name)) === 'bundled') throw invalid(`"${name}" is a bundled model; choose another name`);

  const onnxFacts: OnnxFacts = {
    opset: inspection.opset,
    irVersion: inspection.irVersion,
    producer: inspection.producer,
    params: inspection.params,
    ops: inspection.ops,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    inputShape: input.shape,
    outputShape: inspection.output.shape,
    externalData: external.map((f) => ({ path: f.path, bytes: f.bytes, tensors: f.tensors })),
  };
  const mean: Triple = options.mean ?? meta?.input?.mean ?? DEFAULT_MEAN;
  const std: Triple = options.std ?? meta?.input?.std ?? DEFAULT_STD;
  const manifest: ManifestInput & { onnx: OnnxFacts; registeredAt: string } = {
    name,
    // Replaced under the registry lock by the registered version + 1 (storeModel nextVersion).
    version: 1,
    description: options.description ?? meta?.description ?? `ONNX model registered from ${path.basename(source.onnxPath)}`,
    input: {
      name: input.name,
      layout: input.layout,
      width,
      height,
      mean,
      std,
      resize: options.resize ?? meta?.input?.resize ?? DEFAULT_RESIZE,
      dynamicBatch: run.dynamicBatch,
    },
    output: { name: inspection.output.name, kind },
    labels,
    source: {
      ...(meta?.source ?? {}),
      ...(options.source ?? {}),
      kind: 'imported',
      format: 'onnx',
      file: path.basename(source.onnxPath),
    },
    batching: { size: run.dynamicBatch ? 16 : 1, timeoutMs: 10 },
    topK: Math.min(5, classes),
    onnx: onnxFacts,
    registeredAt: new Date().toISOString(),
  };
  const files: ModelFile[] = external.map((f) => ({ path: f.path, from: f.absolute }));
  const written = await storeModel(modelsDir, manifest, bytes, { files, nextVersion: true });
  manifest.version = written.version;
  return { name, version: written.version, dir: written.dir, manifest, inspection, warnings, validation: { batch: run.batch, ms: run.ms } };
}
