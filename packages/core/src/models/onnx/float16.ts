/**
 * An fp16 variant of an fp32 ONNX model: every float weight (initializers and Constant-style tensor
 * attributes) is stored as float16 and every float computation runs in float16, while the graph's
 * float inputs and outputs stay float32 through one Cast node each (what the worker feeds and
 * reads does not change). Half the weight bytes, and on GPUs the faster half-precision kernels.
 *
 * The conversion is the plain one (as onnxconverter-common's keep_io_types): no op is kept in
 * float32. Shape and index tensors (int64) are untouched. value_info is dropped (onnxruntime
 * infers the types again). Models with external weights are refused: inline them first.
 * Accuracy is the caller's to check (tested: test/integration/models/float16.test.ts).
 */
import { AppError } from '../../errors.js';
import { EXTERNAL, decodeModel, encodeModel, elementCount, graphTensors, type GraphObj, type NodeObj, type TensorObj, type ValueInfoObj } from './decoded.js';

const FLOAT = 1;
const FLOAT16 = 10;
const FP16_MAX = 65504;

/** IEEE 754 half from a float (round to nearest even; out of range saturates to ±65504, not ±Inf). */
export function toHalf(value: number): number {
  const f32 = new Float32Array([Math.max(-FP16_MAX, Math.min(FP16_MAX, value))]);
  const x = new Uint32Array(f32.buffer)[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // NaN stays NaN
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7bff;
  if (e <= 0) {
    // Subnormal half: the 24-bit significand shifted down, rounded to nearest even.
    const shift = 14 - e;
    if (shift > 24) return sign;
    const m = mant | 0x800000;
    const half = m >>> shift;
    const rest = m & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    return sign | (half + (rest > halfway || (rest === halfway && (half & 1) === 1) ? 1 : 0));
  }
  const half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  const up = rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1);
  return sign | (half + (up ? 1 : 0));
}

function floatsOf(t: TensorObj): Float32Array {
  if (t.raw_data && t.raw_data.length > 0) {
    const copy = new Uint8Array(t.raw_data); // aligned copy of a view into the file's buffer
    return new Float32Array(copy.buffer, 0, copy.length / 4);
  }
  return Float32Array.from(t.float_data ?? []);
}

function convertTensor(t: TensorObj): void {
  if (t.data_type !== FLOAT) return;
  if (t.data_location === EXTERNAL || (t.external_data ?? []).length > 0) {
    throw new AppError('MODEL_INVALID', `tensor "${t.name ?? ''}" has external data: inline the weights before converting to float16`);
  }
  const floats = floatsOf(t);
  if (floats.length !== elementCount(t.dims))
    throw new AppError('MODEL_INVALID', `tensor "${t.name ?? ''}": ${floats.length} values for dims [${(t.dims ?? []).join(', ')}]`);
  const halves = new Uint16Array(floats.length);
  for (let i = 0; i < floats.length; i++) halves[i] = toHalf(floats[i]!);
  t.data_type = FLOAT16;
  t.raw_data = new Uint8Array(halves.buffer);
  delete t.float_data;
}

const isFloat = (v: ValueInfoObj): boolean => v.type?.tensor_type?.elem_type === FLOAT;
const cast = (input: string, output: string, to: number): NodeObj => ({
  op_type: 'Cast',
  name: `${output}_cast`,
  input: [input],
  output: [output],
  attribute: [{ name: 'to', type: 2, i: to } as never],
});

function convertGraph(graph: GraphObj, keepIo: boolean): void {
  for (const t of graphTensors(graph)) convertTensor(t);
  for (const node of graph.node ?? []) {
    for (const a of node.attribute ?? []) {
      // Cast(to=float) inside the graph would bring float32 back: make it float16.
      const at = a as { name?: string; i?: number };
      if (node.op_type === 'Cast' && at.name === 'to' && at.i === FLOAT) at.i = FLOAT16;
      if (a.g) convertGraph(a.g, false);
      for (const g of a.graphs ?? []) convertGraph(g, false);
    }
  }
  delete graph.value_info;
  if (!keepIo) return;
  const rename = new Map<string, string>();
  const head: NodeObj[] = [];
  for (const input of graph.input ?? []) {
    if (!isFloat(input) || (graph.initializer ?? []).some((t) => t.name === input.name)) continue;
    const half = `${input.name}__fp16`;
    rename.set(input.name!, half);
    head.push(cast(input.name!, half, FLOAT16));
  }
  for (const node of graph.node ?? []) node.input = (node.input ?? []).map((n) => rename.get(n) ?? n);
  const tail: NodeObj[] = [];
  for (const output of graph.output ?? []) {
    if (!isFloat(output)) continue;
    const half = `${output.name}__fp16`;
    for (const node of graph.node ?? []) {
      node.output = (node.output ?? []).map((n) => (n === output.name ? half : n));
      node.input = (node.input ?? []).map((n) => (n === output.name ? half : n));
    }
    tail.push(cast(half, output.name!, FLOAT));
  }
  graph.node = [...head, ...(graph.node ?? []), ...tail];
}

/** The fp16 variant of `onnx` (fp32 in, fp32 out). */
export function convertToFloat16(onnx: Uint8Array, file = 'model'): Uint8Array {
  const model = decodeModel(onnx, file);
  convertGraph(model.graph!, true);
  model.producer_name = `${model.producer_name ?? ''}+hourglass-fp16`.replace(/^\+/, '');
  return encodeModel(model);
}
