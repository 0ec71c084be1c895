/**
 * Converts a TF.js `graph-model` (a frozen TensorFlow GraphDef as JSON, NHWC) to an NCHW ONNX
 * graph. It covers what the TF.js converter emits for CNN classifiers: Conv2D / _FusedConv2D,
 * DepthwiseConv2dNative / FusedDepthwiseConv2dNative (BiasAdd, FusedBatchNorm and an activation
 * fused in), elementwise ops with constants (the input scaling of TF-Hub models), pooling, Mean as
 * global pooling, Squeeze, ConcatV2, MatMul / _FusedMatMul and Softmax. The graph is walked back from
 * its signature output, so unused nodes never reach the ONNX file.
 */
import { AppError } from '../../errors.js';
import { NchwGraph, type ActivationKind, type Value } from './nchw-graph.js';
import { convKernelToOnnx, depthwiseKernelToOnnx, foldBatchNorm, type OnnxWeight } from './kernels.js';
import { parseTfPadding, type TfPadding } from './tf-padding.js';
import type { FloatTensor, WeightMap } from './tfjs-weights.js';
import { countInto, sortedCounts, type ConvertOptions, type ConvertedModel } from './converted-model.js';

interface TfAttrValue {
  s?: string;
  i?: string | number;
  f?: number;
  b?: boolean;
  list?: { i?: (string | number)[]; s?: string[]; f?: number[] };
  shape?: { dim?: { size: string | number }[]; unknownRank?: boolean };
}

interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, TfAttrValue>;
}

type Operand = { kind: 'value'; value: Value } | { kind: 'const'; tensor: FloatTensor };

const ACTIVATIONS: Record<string, ActivationKind> = {
  Relu: 'relu',
  Relu6: 'relu6',
  Sigmoid: 'sigmoid',
  Tanh: 'tanh',
  Elu: 'elu',
  Selu: 'selu',
  LeakyRelu: 'leaky_relu',
  Softmax: 'softmax',
};
const PASS_THROUGH = new Set(['Identity', 'StopGradient', 'Snapshot', 'PreventGradient']);

function fail(node: TfNode, message: string): never {
  throw new AppError('MODEL_INVALID', `TF node "${node.name}" (${node.op}): ${message}`);
}

const text = (v: TfAttrValue | undefined): string | undefined => (v?.s === undefined ? undefined : Buffer.from(v.s, 'base64').toString('utf8'));
const ints = (v: TfAttrValue | undefined): number[] => (v?.list?.i ?? []).map(Number);
const texts = (v: TfAttrValue | undefined): string[] => (v?.list?.s ?? []).map((s) => Buffer.from(s, 'base64').toString('utf8'));

/** Input references: "name", "name:0" (first output), "^name" (control: ignored). */
function dataInputs(node: TfNode): string[] {
  return (node.input ?? [])
    .filter((ref) => !ref.startsWith('^'))
    .map((ref) => {
      const [name, index] = ref.split(':');
      if (index !== undefined && index !== '0') fail(node, `reads output ${index} of "${name}": multi-output nodes are not supported`);
      return name!;
    });
}

function nhwcOnly(node: TfNode): void {
  const format = text(node.attr?.data_format);
  if (format !== undefined && format !== 'NHWC') fail(node, `data_format ${format} is not supported`);
}

/** [1, h, w, 1] style attribute → [h, w]. */
function spatialPair(node: TfNode, key: string, fallback: number): [number, number] {
  const v = ints(node.attr?.[key]);
  if (v.length === 0) return [fallback, fallback];
  if (v.length !== 4 || v[0] !== 1 || v[3] !== 1) fail(node, `${key} [${v.join(',')}] is not [1, h, w, 1]`);
  return [v[1]!, v[2]!];
}

function padding(node: TfNode): TfPadding {
  return parseTfPadding(text(node.attr?.padding) ?? 'VALID', node.name);
}

export interface TfGraphSignature {
  inputs?: Record<string, { name: string }>;
  outputs?: Record<string, { name: string }>;
}

export function convertTfGraphModel(
  modelTopology: unknown,
  weights: WeightMap,
  options: ConvertOptions & { signature?: TfGraphSignature },
): ConvertedModel {
  const nodes = (modelTopology as { node?: TfNode[] }).node;
  if (!Array.isArray(nodes)) throw new AppError('MODEL_INVALID', 'TF graph model without nodes');
  const byName = new Map(nodes.map((n) => [n.name, n]));

  // The output: the signature's, else the one node nothing consumes.
  let outputName = Object.values(options.signature?.outputs ?? {})[0]?.name.split(':')[0];
  if (!outputName) {
    const consumed = new Set(nodes.flatMap((n) => dataInputs(n)));
    const sinks = nodes.filter((n) => n.op !== 'Const' && !consumed.has(n.name));
    if (sinks.length !== 1) throw new AppError('MODEL_INVALID', `TF graph has ${sinks.length} sink nodes; expected exactly one output`);
    outputName = sinks[0]!.name;
  }
  const outputNode = byName.get(outputName);
  if (!outputNode) throw new AppError('MODEL_INVALID', `TF graph output "${outputName}" is not a node`);

  // Post-order walk from the output (iterative: graphs can be deep).
  const order: TfNode[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: { node: TfNode; expanded: boolean }[] = [{ node: outputNode, expanded: false }];
  while (stack.length > 0) {
    const top = stack.pop()!;
    if (state.get(top.node.name) === 'done') continue;
    if (top.expanded) {
      state.set(top.node.name, 'done');
      order.push(top.node);
      continue;
    }
    if (state.get(top.node.name) === 'open') throw new AppError('MODEL_INVALID', `TF graph has a cycle through "${top.node.name}"`);
    state.set(top.node.name, 'open');
    stack.push({ node: top.node, expanded: true });
    for (const dep of dataInputs(top.node).reverse()) {
      const n = byName.get(dep);
      if (!n) fail(top.node, `input "${dep}" is not a node`);
      if (state.get(dep) !== 'done') stack.push({ node: n, expanded: false });
    }
  }

  const graph = new NchwGraph(options.graphName);
  const operands = new Map<string, Operand>();
  const softmaxOutputs = new Set<string>();
  const sourceOps: Record<string, number> = {};
  let input: Value | undefined;
  let features: Value | undefined;

  const operand = (node: TfNode, name: string): Operand => {
    const o = operands.get(name);
    if (!o) fail(node, `input "${name}" has no value`);
    return o;
  };
  const value = (node: TfNode, name: string): Value => {
    const o = operand(node, name);
    if (o.kind !== 'value') fail(node, `input "${name}" is a constant where a tensor is expected`);
    return o.value;
  };
  const constant = (node: TfNode, name: string): FloatTensor => {
    const o = operand(node, name);
    if (o.kind !== 'const') fail(node, `input "${name}" must be a constant (weights)`);
    return o.tensor;
  };
  const activate = (node: TfNode, x: Value, op: string): Value => {
    const kind = ACTIVATIONS[op];
    if (!kind) fail(node, `activation ${op} is not supported`);
    const alpha = node.attr?.leakyrelu_alpha?.f ?? node.attr?.alpha?.f;
    const y = graph.activation(x, kind, alpha);
    if (kind === 'softmax') softmaxOutputs.add(y.name);
    return y;
  };

  /** Conv2D and DepthwiseConv2dNative, plain or fused (BiasAdd | FusedBatchNorm, then an activation). */
  const conv = (node: TfNode, depthwise: boolean): Value => {
    nhwcOnly(node);
    const [xName, filterName, ...args] = dataInputs(node);
    const x = value(node, xName!);
    const filter = constant(node, filterName!);
    let weight: OnnxWeight = depthwise ? depthwiseKernelToOnnx(filter) : convKernelToOnnx(filter);
    let bias: Float32Array | undefined;
    const fused = texts(node.attr?.fused_ops);
    let rest = fused;
    if (fused[0] === 'BiasAdd') {
      bias = constant(node, args[0]!).data;
      rest = fused.slice(1);
    } else if (fused[0] === 'FusedBatchNorm') {
      const [scale, offset, mean, variance] = args.map((a) => constant(node, a).data);
      ({ weight, bias } = foldBatchNorm(weight, undefined, { gamma: scale!, beta: offset!, mean: mean!, variance: variance!, epsilon: node.attr?.epsilon?.f ?? 1e-3 }));
      rest = fused.slice(1);
    }
    if (rest.length > 1) fail(node, `fused ops [${fused.join(', ')}] are not supported`);
    const pad = padding(node);
    const y = graph.conv(x, {
      stem: node.name,
      weight,
      strides: spatialPair(node, 'strides', 1),
      dilations: spatialPair(node, 'dilations', 1),
      padding: pad,
      group: depthwise ? filter.shape[2]! : 1,
      ...(bias ? { bias } : {}),
    });
    return rest[0] ? activate(node, y, rest[0]) : y;
  };

  const matmul = (node: TfNode, fusedOp: boolean): Value => {
    const [aName, bName, ...args] = dataInputs(node);
    const a = value(node, aName!);
    features ??= a;
    if (node.attr?.transpose_a?.b) fail(node, 'transpose_a is not supported');
    const b = constant(node, bName!);
    let kernel: OnnxWeight = { dims: b.shape, data: b.data };
    if (node.attr?.transpose_b?.b) {
      const [out, inF] = b.shape as [number, number];
      const data = new Float32Array(b.data.length);
      for (let o = 0; o < out; o++) for (let i = 0; i < inF; i++) data[i * out + o] = b.data[o * inF + i]!;
      kernel = { dims: [inF, out], data };
    }
    const fused = fusedOp ? texts(node.attr?.fused_ops) : [];
    let bias: Float32Array | undefined;
    let rest = fused;
    if (fused[0] === 'BiasAdd') {
      bias = constant(node, args[0]!).data;
      rest = fused.slice(1);
    }
    if (rest.length > 1) fail(node, `fused ops [${fused.join(', ')}] are not supported`);
    const y = graph.dense(a, node.name, kernel, bias);
    return rest[0] ? activate(node, y, rest[0]) : y;
  };

  for (const node of order) {
    countInto(sourceOps, node.op);
    const ins = dataInputs(node);
    let out: Value | undefined;
    switch (node.op) {
      case 'Const': {
        const tensor = weights.get(node.name);
        if (!tensor) fail(node, 'constant missing from the weights manifest');
        operands.set(node.name, { kind: 'const', tensor });
        continue;
      }
      case 'Placeholder': {
        if (input) fail(node, 'only single-input graphs are supported');
        const dims = (node.attr?.shape?.shape?.dim ?? []).map((d) => Number(d.size));
        if (dims.length !== 4 || dims.slice(1).some((d) => !(d > 0))) fail(node, `input shape [${dims.join(',')}] is not [batch, H, W, C] with static H, W, C`);
        const [, h, w, c] = dims as [number, number, number, number];
        out = input = graph.imageInput(options.inputName ?? 'input', c, h, w);
        break;
      }
      case 'Conv2D':
      case '_FusedConv2D':
        out = conv(node, false);
        break;
      case 'DepthwiseConv2dNative':
      case 'FusedDepthwiseConv2dNative':
        out = conv(node, true);
        break;
      case 'MatMul':
      case '_FusedMatMul':
        out = matmul(node, node.op === '_FusedMatMul');
        break;
      case 'BiasAdd':
      case 'Add':
      case 'AddV2':
      case 'Sub':
      case 'Mul':
      case 'RealDiv': {
        nhwcOnly(node);
        const op = ({ BiasAdd: 'Add', Add: 'Add', AddV2: 'Add', Sub: 'Sub', Mul: 'Mul', RealDiv: 'Div' } as const)[node.op];
        const [l, r] = [operand(node, ins[0]!), operand(node, ins[1]!)];
        if (l.kind === 'value' && r.kind === 'value') out = graph.binary(op, l.value, r.value);
        else if (l.kind === 'value' && r.kind === 'const') out = graph.binaryConst(op, l.value, `${node.name}.y`, r.tensor);
        else if (l.kind === 'const' && r.kind === 'value') out = graph.binaryConst(op, r.value, `${node.name}.x`, l.tensor, true);
        else fail(node, 'constant folding of two constants is not supported');
        break;
      }
      case 'AvgPool':
      case 'MaxPool':
        nhwcOnly(node);
        out = graph.pool(value(node, ins[0]!), {
          op: node.op === 'AvgPool' ? 'AveragePool' : 'MaxPool',
          kernel: spatialPair(node, 'ksize', 1),
          strides: spatialPair(node, 'strides', 1),
          padding: padding(node),
        });
        break;
      case 'Mean': {
        const axes = [...constant(node, ins[1]!).data].map((a) => (a < 0 ? a + 4 : a)).sort();
        if (axes.join() !== '1,2' || node.attr?.keep_dims?.b) fail(node, 'only Mean over axes [1, 2] without keep_dims (global average pooling) is supported');
        out = graph.globalPool(value(node, ins[0]!), 'GlobalAveragePool');
        break;
      }
      case 'Squeeze': {
        const x = value(node, ins[0]!);
        if (x.shape.length !== 3) fail(node, 'Squeeze is supported on [N, H, W, C] maps only');
        let dims = ints(node.attr?.squeeze_dims).map((d) => (d < 0 ? d + 4 : d));
        if (dims.length === 0) dims = [1, 2].filter((d) => x.shape[d] === 1);
        if (dims.some((d) => d !== 1 && d !== 2)) fail(node, `squeezing axes [${dims.join(',')}] is not supported (only the spatial axes)`);
        // NHWC spatial axes 1, 2 are NCHW axes 2, 3.
        out = graph.squeezeSpatial(x, dims.map((d) => d + 1));
        if (out.shape.length === 3) fail(node, 'squeezing one spatial axis only is not supported');
        break;
      }
      case 'ConcatV2': {
        const axis = constant(node, ins[ins.length - 1]!).data[0]!;
        const xs = ins.slice(0, -1).map((n) => value(node, n));
        const rank = xs[0]!.shape.length + 1;
        const a = axis < 0 ? axis + rank : axis;
        const mapped = rank === 4 ? ({ 1: 2, 2: 3, 3: 1 } as Record<number, number>)[a] : a === 1 ? 1 : undefined;
        if (mapped === undefined) fail(node, `concatenation along axis ${axis} is not supported`);
        out = graph.concat(xs, mapped);
        break;
      }
      default:
        if (PASS_THROUGH.has(node.op)) {
          operands.set(node.name, operand(node, ins[0]!));
          continue;
        }
        if (ACTIVATIONS[node.op]) {
          out = activate(node, value(node, ins[0]!), node.op);
          break;
        }
        fail(node, 'op not supported by the importer');
    }
    operands.set(node.name, { kind: 'value', value: out });
  }

  if (!input) throw new AppError('MODEL_INVALID', 'TF graph has no Placeholder input');
  const result = value(outputNode, outputNode.name);
  if (result.shape.length !== 1) throw new AppError('MODEL_INVALID', `graph output has shape [N,${result.shape.join(',')}], expected [N, classes]`);
  const outName = options.outputName ?? 'probabilities';
  const featuresName = options.featuresName ?? 'features';
  graph.output(outName, result);
  if (features) graph.output(featuresName, features);
  const onnx = graph.g.toBytes({ doc: options.doc ?? '', ...(options.metadata ? { metadata: options.metadata } : {}) });
  return {
    onnx,
    input: { name: input.name, channels: input.shape[0]!, height: input.shape[1]!, width: input.shape[2]! },
    output: { name: outName, size: result.shape[0]!, kind: softmaxOutputs.has(result.name) ? 'probabilities' : 'logits' },
    ...(features ? { features: { name: featuresName, size: features.shape[0]! } } : {}),
    sourceOps: sortedCounts(sourceOps),
    onnxOps: sortedCounts(graph.opCounts),
  };
}
