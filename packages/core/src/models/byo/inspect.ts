/**
 * Reads what hourglass needs to know from a user's ONNX file, without running it: the image input
 * (name, layout, size, batch axis), the class output (name, class count, logits or probabilities),
 * opset, producer, parameter count, the op types used, and the external data files the weights
 * live in. Rejections carry the codes a registration reports:
 *
 * - MODEL_NOT_ONNX         not a protobuf ModelProto with a graph (text, image, truncated, > 2 GiB)
 * - MODEL_NO_IMAGE_INPUT   no single float input [N,3,H,W] / [N,H,W,3], or a fixed batch > 1
 * - MODEL_NO_CLASS_OUTPUT  no float output shaped [batch, classes]
 *
 * External data references are collected here (and checked to stay inside the model's folder);
 * whether the files exist and are long enough is {@link verifyExternalData}'s job.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../errors.js';
import {
  decodeModel,
  defaultOpset,
  elementCount,
  ELEMENT_BYTES,
  EXTERNAL,
  externalEntries,
  graphTensors,
  producerOf,
  type GraphObj,
  type ModelObj,
  type ValueInfoObj,
} from '../onnx/decoded.js';
import { checkOnnxFile } from '../onnx/sniff.js';
import { safeModelFilePath } from '../store.js';

export type ShapeDim = number | string | null;

export interface ImageInputInfo {
  name: string;
  layout: 'NCHW' | 'NHWC';
  /** The graph's fixed spatial size; undefined where the dim is symbolic (any size runs). */
  width?: number;
  height?: number;
  /** True when the batch axis is symbolic (or unset); false when fixed at 1. */
  dynamicBatch: boolean;
  /** The batch dim as declared: its symbol ('batch'), or its fixed size. */
  batchDim: ShapeDim;
  shape: ShapeDim[];
}

export interface ClassOutputInfo {
  name: string;
  /** From the graph; undefined when the class dim is symbolic or the shape undeclared (the dummy run tells). */
  classes?: number;
  /** 'probabilities' when the output comes straight from a Softmax node, else 'logits'. */
  kind: 'logits' | 'probabilities';
  shape: ShapeDim[] | null;
}

export interface ExternalDataFile {
  /** Relative to the model file's folder, '/'-separated, checked to stay inside it. */
  path: string;
  tensors: number;
  /** The file must be at least this long (largest offset + length). */
  minBytes: number;
}

export interface OnnxInspection {
  file: string;
  fileBytes: number;
  irVersion: number | null;
  /** Opset of the default (ai.onnx) domain. */
  opset: number | null;
  /** producer_name and producer_version, e.g. "pytorch 2.5.1". */
  producer: string;
  input: ImageInputInfo;
  output: ClassOutputInfo;
  /** Sum of the elements of every initializer (external ones counted from their dims). */
  params: number;
  initializers: number;
  externalData: ExternalDataFile[];
  /** Distinct op types, 'domain:Op' outside the default domain. */
  ops: string[];
  metadata: Record<string, string>;
  warnings: string[];
}

/** protobuf cannot hold a message this large: bigger exports must use external data. */
export const MAX_ONNX_FILE_BYTES = 2 ** 31 - 1;
const FLOAT = 1;

const dimsOf = (info: ValueInfoObj): ShapeDim[] | null => {
  const shape = info.type?.tensor_type?.shape;
  if (!shape) return null;
  return (shape.dim ?? []).map((d) => (d.dim_value !== undefined && d.dim_value > 0 ? d.dim_value : d.dim_param ? d.dim_param : null));
};

const showShape = (shape: ShapeDim[] | null): string => (shape ? `[${shape.map((d) => d ?? '?').join(', ')}]` : '(no shape)');

/** Why a graph input is not an image batch, or its description. */
function asImageInput(info: ValueInfoObj): ImageInputInfo | string {
  const name = info.name ?? '';
  const elem = info.type?.tensor_type?.elem_type;
  if (elem !== undefined && elem !== FLOAT) return `input "${name}" has element type ${elem}; hourglass feeds float32 (type 1)`;
  const shape = dimsOf(info);
  if (!shape) return `input "${name}" has no declared shape`;
  if (shape.length !== 4) return `input "${name}" is ${showShape(shape)}: an image batch has 4 dims, [N,3,H,W] or [N,H,W,3]`;
  const layout = shape[1] === 3 ? 'NCHW' : shape[3] === 3 ? 'NHWC' : undefined;
  if (!layout) return `input "${name}" is ${showShape(shape)}: no 3-channel axis at position 1 (NCHW) or 3 (NHWC)`;
  const [h, w] = layout === 'NCHW' ? [shape[2], shape[3]] : [shape[1], shape[2]];
  const batch = shape[0] ?? null;
  if (typeof batch === 'number' && batch !== 1)
    return `input "${name}" is ${showShape(shape)}: a fixed batch of ${batch}; export with a dynamic batch axis (dynamic_axes={'${name}': {0: 'batch'}}) or batch 1`;
  return {
    name,
    layout,
    ...(typeof w === 'number' ? { width: w } : {}),
    ...(typeof h === 'number' ? { height: h } : {}),
    dynamicBatch: typeof batch !== 'number',
    batchDim: batch,
    shape,
  };
}

function pickInput(graph: GraphObj, initializerNames: Set<string>, wanted: string | undefined, file: string): ImageInputInfo {
  // Older exports (IR < 4) also list every initializer as a graph input: those are weights.
  const inputs = (graph.input ?? []).filter((i) => !initializerNames.has(i.name ?? ''));
  const reject = (why: string): never => {
    throw new AppError('MODEL_NO_IMAGE_INPUT', `${file}: ${why}`, { details: { file, inputs: inputs.map((i) => ({ name: i.name, shape: dimsOf(i) })) } });
  };
  if (inputs.length === 0) reject('the graph has no inputs');
  if (wanted !== undefined) {
    const chosen = inputs.find((i) => i.name === wanted);
    if (!chosen) reject(`no input named "${wanted}" (inputs: ${inputs.map((i) => i.name).join(', ')})`);
    if (inputs.length > 1)
      reject(`the graph needs ${inputs.length} inputs (${inputs.map((i) => i.name).join(', ')}); hourglass feeds exactly one image tensor`);
    const result = asImageInput(chosen!);
    return typeof result === 'string' ? reject(result) : result;
  }
  if (inputs.length > 1)
    reject(
      `the graph needs ${inputs.length} inputs (${inputs.map((i) => `${i.name} ${showShape(dimsOf(i))}`).join(', ')}); hourglass feeds exactly one image tensor`,
    );
  const result = asImageInput(inputs[0]!);
  return typeof result === 'string' ? reject(result) : result;
}

const PREFERRED_OUTPUTS = ['logits', 'probabilities', 'probs', 'output', 'output0', 'scores'];

function pickOutput(graph: GraphObj, wanted: string | undefined, file: string): ClassOutputInfo {
  const outputs = graph.output ?? [];
  const reject = (why: string): never => {
    throw new AppError('MODEL_NO_CLASS_OUTPUT', `${file}: ${why}`, { details: { file, outputs: outputs.map((o) => ({ name: o.name, shape: dimsOf(o) })) } });
  };
  const describe = (o: ValueInfoObj): ClassOutputInfo | string => {
    const name = o.name ?? '';
    const elem = o.type?.tensor_type?.elem_type;
    if (elem !== undefined && elem !== FLOAT) return `output "${name}" has element type ${elem}; hourglass reads float32 (type 1)`;
    const shape = dimsOf(o);
    if (shape && shape.length !== 2) return `output "${name}" is ${showShape(shape)}; a classifier's output is [batch, classes]`;
    const batch = shape?.[0];
    if (typeof batch === 'number' && batch !== 1) return `output "${name}" has a fixed batch of ${batch}`;
    const classes = shape?.[1];
    const kind = producerOf(graph, name)?.op_type === 'Softmax' ? 'probabilities' : 'logits';
    return { name, ...(typeof classes === 'number' ? { classes } : {}), kind, shape };
  };
  if (outputs.length === 0) reject('the graph has no outputs');
  if (wanted !== undefined) {
    const chosen = outputs.find((o) => o.name === wanted);
    if (!chosen) reject(`no output named "${wanted}" (outputs: ${outputs.map((o) => o.name).join(', ')})`);
    const result = describe(chosen!);
    return typeof result === 'string' ? reject(result) : result;
  }
  const ranked = [...outputs].sort((a, b) => rank(a.name) - rank(b.name));
  const reasons: string[] = [];
  for (const candidate of ranked) {
    const result = describe(candidate);
    if (typeof result !== 'string') return result;
    reasons.push(result);
  }
  return reject(reasons.join('; '));
}

const rank = (name: string | undefined): number => {
  const at = PREFERRED_OUTPUTS.indexOf((name ?? '').toLowerCase());
  return at === -1 ? PREFERRED_OUTPUTS.length : at;
};

function externalFiles(graph: GraphObj, file: string): { files: ExternalDataFile[]; params: number; initializers: number } {
  const files = new Map<string, ExternalDataFile>();
  for (const tensor of graphTensors(graph)) {
    if (tensor.data_location !== EXTERNAL) continue;
    const entries = externalEntries(tensor);
    const location = entries.get('location');
    const bad = (why: string): never => {
      throw new AppError('MODEL_EXTERNAL_DATA_INVALID', `${file}: tensor "${tensor.name}" ${why}`, { details: { file, tensor: tensor.name } });
    };
    if (!location) bad('is stored externally but names no location');
    let relative: string;
    try {
      relative = safeModelFilePath(location!);
    } catch {
      return bad(`points outside the model's folder ("${location!.slice(0, 200)}"); external data must sit next to the model file`);
    }
    const offset = Number(entries.get('offset') ?? 0);
    const bytesPerElement = ELEMENT_BYTES[tensor.data_type ?? 0];
    const length = entries.has('length')
      ? Number(entries.get('length'))
      : bytesPerElement === undefined
        ? Number.NaN
        : elementCount(tensor.dims) * bytesPerElement;
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0)
      bad(`has an invalid offset/length (${entries.get('offset')}, ${entries.get('length')})`);
    const entry = files.get(relative!) ?? { path: relative!, tensors: 0, minBytes: 0 };
    entry.tensors++;
    entry.minBytes = Math.max(entry.minBytes, offset + length);
    files.set(relative!, entry);
  }
  let params = 0;
  for (const t of graph.initializer ?? []) params += elementCount(t.dims);
  return { files: [...files.values()].sort((a, b) => a.path.localeCompare(b.path)), params, initializers: (graph.initializer ?? []).length };
}

function opTypes(graph: GraphObj, into = new Set<string>()): Set<string> {
  for (const node of graph.node ?? []) {
    into.add(node.domain && node.domain !== 'ai.onnx' ? `${node.domain}:${node.op_type}` : (node.op_type ?? '?'));
    for (const a of node.attribute ?? []) {
      if (a.g) opTypes(a.g, into);
      for (const g of a.graphs ?? []) opTypes(g, into);
    }
  }
  return into;
}

/** Inspects decoded bytes (see the module comment). `file` only names the model in messages. */
export function inspectOnnxBytes(bytes: Uint8Array, file: string, options: { input?: string; output?: string } = {}): OnnxInspection {
  const model: ModelObj = decodeModel(bytes, file);
  const graph = model.graph!;
  const initializerNames = new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
  const input = pickInput(graph, initializerNames, options.input, file);
  const output = pickOutput(graph, options.output, file);
  const { files, params, initializers } = externalFiles(graph, file);
  const warnings: string[] = [];
  if (!input.dynamicBatch)
    warnings.push(
      `input "${input.name}" has a fixed batch of 1: the worker will run one image per session.run (export with a dynamic batch axis for micro-batching)`,
    );
  const opset = defaultOpset(model) ?? null;
  if (opset !== null && opset < 7) warnings.push(`opset ${opset} is very old; onnxruntime may not run it`);
  return {
    file,
    fileBytes: bytes.byteLength,
    irVersion: model.ir_version ?? null,
    opset,
    producer: `${model.producer_name ?? ''} ${model.producer_version ?? ''}`.trim(),
    input,
    output,
    params,
    initializers,
    externalData: files,
    ops: [...opTypes(graph)].sort(),
    metadata: Object.fromEntries((model.metadata_props ?? []).map((e) => [e.key ?? '', e.value ?? ''])),
    warnings,
  };
}

/**
 * Reads an ONNX file for inspection: VALIDATION_FAILED when it does not exist, MODEL_NOT_ONNX when
 * it is over 2 GiB or not a protobuf ModelProto (checked on its tags before reading it whole).
 */
export async function readOnnxFile(file: string): Promise<Buffer> {
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) throw new AppError('VALIDATION_FAILED', `${file}: no such file`, { details: { file } });
  if (info.size > MAX_ONNX_FILE_BYTES) {
    throw new AppError(
      'MODEL_NOT_ONNX',
      `${file} is ${info.size} bytes: a protobuf ModelProto holds at most 2 GiB; larger models keep their weights in external data`,
      { details: { file } },
    );
  }
  try {
    await checkOnnxFile(file);
  } catch (error) {
    if (error instanceof AppError && error.code === 'MODEL_INVALID') throw new AppError('MODEL_NOT_ONNX', error.message, { cause: error, details: { file } });
    throw error;
  }
  return readFile(file);
}

/** Inspects an ONNX file (see the module comment); does not look at its external data files. */
export async function inspectOnnxFile(file: string, options: { input?: string; output?: string } = {}): Promise<OnnxInspection> {
  return inspectOnnxBytes(await readOnnxFile(file), file, options);
}

/**
 * Checks that every external data file exists inside `dir` (no symlink leading out of it) and is
 * long enough for the tensors that read from it; MODEL_EXTERNAL_DATA_INVALID otherwise. Answers
 * each file's absolute path and size.
 */
export async function verifyExternalData(
  dir: string,
  files: readonly ExternalDataFile[],
): Promise<Array<ExternalDataFile & { absolute: string; bytes: number }>> {
  const root = await realpath(dir);
  const verified: Array<ExternalDataFile & { absolute: string; bytes: number }> = [];
  for (const file of files) {
    const absolute = path.join(dir, ...file.path.split('/'));
    const info = await stat(absolute).catch(() => undefined);
    if (!info?.isFile()) {
      throw new AppError(
        'MODEL_EXTERNAL_DATA_INVALID',
        `the model keeps ${file.tensors} tensor(s) in "${file.path}", which is missing next to it (expected ${absolute}); copy the data file with the model`,
        { details: { file: file.path } },
      );
    }
    const real = await realpath(absolute);
    if (path.relative(root, real).startsWith('..') || path.isAbsolute(path.relative(root, real))) {
      throw new AppError('MODEL_EXTERNAL_DATA_INVALID', `external data "${file.path}" is a link to ${real}, outside the model's folder`, {
        details: { file: file.path },
      });
    }
    if (info.size < file.minBytes) {
      throw new AppError(
        'MODEL_EXTERNAL_DATA_INVALID',
        `external data "${file.path}" is ${info.size} bytes; its tensors need ${file.minBytes} (truncated copy?)`,
        { details: { file: file.path } },
      );
    }
    verified.push({ ...file, absolute, bytes: info.size });
  }
  return verified;
}
