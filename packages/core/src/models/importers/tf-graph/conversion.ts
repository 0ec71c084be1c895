/**
 * The state of one TF graph → ONNX conversion, shared by the op converters: the graph being built,
 * what each converted node produced (a graph value, or a constant still to be folded into a
 * consumer as weights), and the input and features values once found.
 */
import { NchwGraph, type ActivationKind, type Value } from '../nchw-graph.js';
import type { FloatTensor, WeightMap } from '../tfjs-weights.js';
import type { ConvertOptions } from '../converted-model.js';
import { fail, type TfNode } from './node.js';

/** A node's result: a tensor of the ONNX graph, or a Const the consumer reads as weights. */
export type Operand = { kind: 'value'; value: Value } | { kind: 'const'; tensor: FloatTensor };

/** Converts one node; `ins` are its data inputs (control inputs dropped). */
export type OpConverter = (c: TfGraphConversion, node: TfNode, ins: string[]) => Operand;

// A Map, not an object literal: names come from the model file, and `constructor` or `toString`
// must read as unsupported, not as an inherited property.
export const ACTIVATIONS = new Map<string, ActivationKind>([
  ['Relu', 'relu'],
  ['Relu6', 'relu6'],
  ['Sigmoid', 'sigmoid'],
  ['Tanh', 'tanh'],
  ['Elu', 'elu'],
  ['Selu', 'selu'],
  ['LeakyRelu', 'leaky_relu'],
  ['Softmax', 'softmax'],
]);

export class TfGraphConversion {
  readonly graph: NchwGraph;
  /** Node name → what it produced. */
  readonly operands = new Map<string, Operand>();
  /** Values produced by a softmax: the model output is 'probabilities' when it is one of them. */
  readonly softmaxOutputs = new Set<string>();
  /** The Placeholder's value; a second Placeholder is rejected. */
  input: Value | undefined;
  /** The input of the first MatMul: the pooled backbone features. */
  features: Value | undefined;

  constructor(
    readonly options: ConvertOptions,
    readonly weights: WeightMap,
  ) {
    this.graph = new NchwGraph(options.graphName);
  }

  operand(node: TfNode, name: string): Operand {
    const o = this.operands.get(name);
    if (!o) fail(node, `input "${name}" has no value`);
    return o;
  }

  value(node: TfNode, name: string): Value {
    const o = this.operand(node, name);
    if (o.kind !== 'value') fail(node, `input "${name}" is a constant where a tensor is expected`);
    return o.value;
  }

  constant(node: TfNode, name: string): FloatTensor {
    const o = this.operand(node, name);
    if (o.kind !== 'const') fail(node, `input "${name}" must be a constant (weights)`);
    return o.tensor;
  }

  /** `op` is a TF activation op name: a standalone node's own, or one fused into a conv / matmul. */
  activate(node: TfNode, x: Value, op: string): Value {
    const kind = ACTIVATIONS.get(op);
    if (!kind) fail(node, `activation ${op} is not supported`);
    const alpha = node.attr?.leakyrelu_alpha?.f ?? node.attr?.alpha?.f;
    const y = this.graph.activation(x, kind, alpha);
    if (kind === 'softmax') this.softmaxOutputs.add(y.name);
    return y;
  }
}

/** Wraps a converter whose result is always a graph value. */
export const producesValue =
  (convert: (c: TfGraphConversion, node: TfNode, ins: string[]) => Value): OpConverter =>
  (c, node, ins) => ({ kind: 'value', value: convert(c, node, ins) });
