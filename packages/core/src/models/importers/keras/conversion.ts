/**
 * The state of one Keras → ONNX conversion, shared by the layer converters: the graph being built,
 * each converted layer's output (possibly with a ZeroPadding2D not yet applied), the batch norms
 * already folded into a conv, and the model's weights by `<layer>/<name>`.
 */
import { AppError } from '../../../errors.js';
import { NchwGraph, type ActivationKind, type Pads4, type Value } from '../nchw-graph.js';
import type { FloatTensor, WeightMap } from '../tfjs-weights.js';
import type { ConvertOptions } from '../converted-model.js';
import { fail, type KerasLayer } from './layer.js';

export interface Entry {
  value: Value;
  /** A ZeroPadding2D not yet applied: a consuming 'valid' conv takes these as its own pads. */
  pendingPads?: Pads4;
}

// A Map, not an object literal: names come from the model file, and `constructor` or `toString`
// must read as unsupported, not as an inherited property.
const ACTIVATIONS = new Map<string, ActivationKind>([
  ['linear', 'linear'],
  ['relu', 'relu'],
  ['relu6', 'relu6'],
  ['sigmoid', 'sigmoid'],
  ['tanh', 'tanh'],
  ['softmax', 'softmax'],
  ['elu', 'elu'],
  ['selu', 'selu'],
  ['swish', 'swish'],
  ['silu', 'swish'],
]);

export class KerasConversion {
  readonly graph: NchwGraph;
  /** Layer name → its output in the graph. */
  readonly entries = new Map<string, Entry>();
  /** Values produced by a softmax: the model output is 'probabilities' when it is one of them. */
  readonly softmaxOutputs = new Set<string>();
  /** Batch norms already absorbed by the conv before them; the walk skips them. */
  readonly folded = new Set<string>();
  /** The input of the first Dense layer: the pooled backbone features. */
  features: Value | undefined;

  constructor(
    readonly options: ConvertOptions,
    private readonly weights: WeightMap,
    /** Layer name → the layers reading its output: what the folds look ahead with. */
    readonly consumers: ReadonlyMap<string, KerasLayer[]>,
  ) {
    this.graph = new NchwGraph(options.graphName);
  }

  weight(layer: KerasLayer, suffix: string): FloatTensor {
    const t = this.weights.get(`${layer.name}/${suffix}`);
    if (!t) fail(layer, `weight "${layer.name}/${suffix}" is missing from the weights manifest`);
    return t;
  }

  optionalWeight(layer: KerasLayer, suffix: string): Float32Array | undefined {
    return this.weights.get(`${layer.name}/${suffix}`)?.data;
  }

  /** The output of layer `name`, applying a pending ZeroPadding2D now that a non-conv reads it. */
  take(name: string): Value {
    const entry = this.entries.get(name);
    if (!entry) throw new AppError('MODEL_INVALID', `Keras layer "${name}" has no value yet`);
    if (entry.pendingPads) {
      entry.value = this.graph.pad(entry.value, entry.pendingPads);
      delete entry.pendingPads;
    }
    return entry.value;
  }

  activationOf(layer: KerasLayer, name: unknown): ActivationKind {
    const kind = ACTIVATIONS.get(String(name ?? 'linear'));
    if (!kind) fail(layer, `activation "${String(name)}" is not supported`);
    return kind;
  }

  activate(layer: KerasLayer, x: Value, name: unknown): Value {
    const kind = this.activationOf(layer, name);
    const y = this.graph.activation(x, kind);
    if (kind === 'softmax') this.softmaxOutputs.add(y.name);
    return y;
  }
}

/** Converts one layer; undefined when its output is recorded otherwise (a pending ZeroPadding2D). */
export type LayerConverter = (c: KerasConversion, layer: KerasLayer, inputs: string[]) => Value | undefined;
