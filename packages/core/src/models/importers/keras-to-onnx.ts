/**
 * Converts a Keras layers model (TF.js `layers-model` topology, functional or sequential) to an
 * ONNX graph. Keras computes channels-last (NHWC); the ONNX graph is channels-first (NCHW) with
 * input `[batch, C, H, W]`, so kernels are re-laid out, channel axes remapped (Concatenate,
 * BatchNormalization, Softmax) and Flatten transposes back to H, W, C order when the map is not 1×1.
 *
 * Folding, for speed and fewer nodes: a BatchNormalization whose only input is a linear Conv2D /
 * DepthwiseConv2D (and that is the conv's only consumer) becomes the conv's weights and bias; a
 * ZeroPadding2D feeding only 'valid' convs becomes their pads. Dropout-like layers vanish.
 * Anything outside the supported set fails with MODEL_INVALID naming the layer.
 */
import { AppError } from '../../errors.js';
import { NchwGraph, type ActivationKind, type Pads4, type Value } from './nchw-graph.js';
import { batchNormAffine, convKernelToOnnx, depthwiseKernelToOnnx, foldBatchNorm, type BatchNormParams, type OnnxWeight } from './kernels.js';
import { parseTfPadding } from './tf-padding.js';
import type { FloatTensor, WeightMap } from './tfjs-weights.js';
import { countInto, sortedCounts, type ConvertOptions, type ConvertedModel } from './converted-model.js';

interface KerasLayer {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  inbound_nodes?: unknown[];
}

interface Entry {
  value: Value;
  /** A ZeroPadding2D not yet applied: a consuming 'valid' conv takes these as its own pads. */
  pendingPads?: Pads4;
}

const IDENTITY_LAYERS = new Set(['Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'ActivityRegularization']);
const ACTIVATIONS: Record<string, ActivationKind> = {
  linear: 'linear',
  relu: 'relu',
  relu6: 'relu6',
  sigmoid: 'sigmoid',
  tanh: 'tanh',
  softmax: 'softmax',
  elu: 'elu',
  selu: 'selu',
  swish: 'swish',
  silu: 'swish',
};

function fail(layer: KerasLayer, message: string): never {
  throw new AppError('MODEL_INVALID', `Keras layer "${layer.name}" (${layer.class_name}): ${message}`);
}

function pair(value: unknown, layer: KerasLayer, what: string): [number, number] {
  if (typeof value === 'number') return [value, value];
  if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number')) return [value[0] as number, value[1] as number];
  return fail(layer, `${what} ${JSON.stringify(value)} is not a pair of numbers`);
}

/** The names of the layers feeding `layer`'s (single) call. */
function inboundNames(layer: KerasLayer): string[] {
  const nodes = layer.inbound_nodes ?? [];
  if (nodes.length === 0) return [];
  if (nodes.length > 1) fail(layer, 'layers called more than once (shared layers) are not supported');
  const node = nodes[0];
  // Keras 2: [[name, nodeIndex, tensorIndex, kwargs], ...]; Keras 3 / TF 2.13+: { args: [...] } is not produced by the TF.js converter.
  if (!Array.isArray(node)) fail(layer, 'unrecognised inbound_nodes format');
  return node.map((ref) => {
    if (!Array.isArray(ref) || typeof ref[0] !== 'string') fail(layer, 'unrecognised inbound node reference');
    if (ref[2] !== undefined && ref[2] !== 0) fail(layer, 'multi-output layers are not supported');
    return ref[0] as string;
  });
}

interface Topology {
  layers: KerasLayer[];
  inputs: string[];
  outputs: string[];
}

function readTopology(modelTopology: unknown): Topology {
  const topo = modelTopology as { model_config?: { class_name?: string; config?: unknown }; class_name?: string; config?: unknown };
  const modelConfig = topo.model_config ?? topo;
  const config = modelConfig.config as { layers?: KerasLayer[]; input_layers?: unknown[]; output_layers?: unknown[] } | KerasLayer[] | undefined;
  const className = modelConfig.class_name;
  if (className === 'Sequential') {
    const layers = (Array.isArray(config) ? config : config?.layers) ?? [];
    // A sequential model chains its layers; make that explicit so one code path serves both.
    const first = layers[0];
    if (!first) throw new AppError('MODEL_INVALID', 'empty Sequential model');
    const chained: KerasLayer[] = [];
    if (first.class_name !== 'InputLayer') {
      chained.push({ name: '__input__', class_name: 'InputLayer', config: { batch_input_shape: first.config.batch_input_shape }, inbound_nodes: [] });
    }
    for (const layer of layers) {
      const previous = chained[chained.length - 1];
      chained.push({ ...layer, inbound_nodes: previous ? [[[previous.name, 0, 0, {}]]] : [] });
    }
    return { layers: chained, inputs: [chained[0]!.name], outputs: [chained[chained.length - 1]!.name] };
  }
  if (className !== 'Model' && className !== 'Functional') throw new AppError('MODEL_INVALID', `unsupported Keras model class "${String(className)}"`);
  if (Array.isArray(config) || !config?.layers) throw new AppError('MODEL_INVALID', 'Keras model config without layers');
  const refs = (list: unknown[] | undefined): string[] => (list ?? []).map((r) => (Array.isArray(r) ? String(r[0]) : String(r)));
  return { layers: config.layers, inputs: refs(config.input_layers), outputs: refs(config.output_layers) };
}

/** Kahn's algorithm, keeping the listed order wherever it is already valid. */
function topologicalOrder(layers: readonly KerasLayer[]): KerasLayer[] {
  const byName = new Map(layers.map((l) => [l.name, l]));
  const done = new Set<string>();
  const order: KerasLayer[] = [];
  let pending = [...layers];
  while (pending.length > 0) {
    const next: KerasLayer[] = [];
    for (const layer of pending) {
      const deps = inboundNames(layer);
      for (const d of deps) if (!byName.has(d)) fail(layer, `input "${d}" is not a layer of the model`);
      if (deps.every((d) => done.has(d))) {
        order.push(layer);
        done.add(layer.name);
      } else next.push(layer);
    }
    if (next.length === pending.length) throw new AppError('MODEL_INVALID', `Keras model has a cycle around "${next[0]!.name}"`);
    pending = next;
  }
  return order;
}

/** Keras channel axis on an NHWC tensor (or -1 / 1 on [N, F]) → the NCHW axis. */
function nchwAxis(axis: number, rank: number, layer: KerasLayer): number {
  const a = axis < 0 ? axis + rank : axis;
  if (rank === 2 && a === 1) return 1;
  if (rank === 4) {
    const map: Record<number, number> = { 1: 2, 2: 3, 3: 1 };
    const mapped = map[a];
    if (mapped !== undefined) return mapped;
  }
  return fail(layer, `axis ${axis} on a rank-${rank} tensor is not supported`);
}

export function convertKerasModel(modelTopology: unknown, weights: WeightMap, options: ConvertOptions): ConvertedModel {
  const topology = readTopology(modelTopology);
  if (topology.inputs.length !== 1 || topology.outputs.length !== 1) {
    throw new AppError('MODEL_INVALID', `only single-input, single-output models are supported (inputs ${topology.inputs.length}, outputs ${topology.outputs.length})`);
  }
  const order = topologicalOrder(topology.layers);
  const consumers = new Map<string, KerasLayer[]>();
  for (const layer of order) for (const d of inboundNames(layer)) consumers.set(d, [...(consumers.get(d) ?? []), layer]);

  const graph = new NchwGraph(options.graphName);
  const entries = new Map<string, Entry>();
  const softmaxOutputs = new Set<string>();
  const folded = new Set<string>();
  const sourceOps: Record<string, number> = {};
  let features: Value | undefined;

  const weight = (layer: KerasLayer, suffix: string): FloatTensor => {
    const t = weights.get(`${layer.name}/${suffix}`);
    if (!t) fail(layer, `weight "${layer.name}/${suffix}" is missing from the weights manifest`);
    return t;
  };
  const optionalWeight = (layer: KerasLayer, suffix: string): Float32Array | undefined => weights.get(`${layer.name}/${suffix}`)?.data;
  const take = (name: string): Value => {
    const entry = entries.get(name);
    if (!entry) throw new AppError('MODEL_INVALID', `Keras layer "${name}" has no value yet`);
    if (entry.pendingPads) {
      entry.value = graph.pad(entry.value, entry.pendingPads);
      delete entry.pendingPads;
    }
    return entry.value;
  };
  const activationOf = (layer: KerasLayer, name: unknown): ActivationKind => {
    const kind = ACTIVATIONS[String(name ?? 'linear')];
    if (!kind) fail(layer, `activation "${String(name)}" is not supported`);
    return kind;
  };
  const activate = (layer: KerasLayer, x: Value, name: unknown): Value => {
    const kind = activationOf(layer, name);
    const y = graph.activation(x, kind);
    if (kind === 'softmax') softmaxOutputs.add(y.name);
    return y;
  };
  const batchNormParams = (layer: KerasLayer): BatchNormParams => {
    const params: BatchNormParams = {
      mean: weight(layer, 'moving_mean').data,
      variance: weight(layer, 'moving_variance').data,
      epsilon: Number(layer.config.epsilon ?? 1e-3),
    };
    if (layer.config.scale !== false) params.gamma = weight(layer, 'gamma').data;
    if (layer.config.center !== false) params.beta = weight(layer, 'beta').data;
    return params;
  };
  const channelsLast = (layer: KerasLayer): void => {
    const format = layer.config.data_format;
    if (format !== undefined && format !== null && format !== 'channels_last') fail(layer, `data_format ${String(format)} is not supported`);
  };
  /** The batch norm this conv can absorb: its only consumer, normalising the channel axis. */
  const foldableBatchNorm = (layer: KerasLayer): KerasLayer | undefined => {
    if (activationOf(layer, layer.config.activation) !== 'linear') return undefined;
    const next = consumers.get(layer.name);
    const bn = next?.length === 1 ? next[0] : undefined;
    if (!bn || bn.class_name !== 'BatchNormalization') return undefined;
    const axis = bn.config.axis;
    const axes = Array.isArray(axis) ? axis : [axis];
    return axes.length === 1 && (axes[0] === -1 || axes[0] === 3) ? bn : undefined;
  };

  const convLayer = (layer: KerasLayer, inputName: string, kernel: OnnxWeight, group: number): Value => {
    channelsLast(layer);
    const entry = entries.get(inputName);
    if (!entry) fail(layer, `input "${inputName}" has no value yet`);
    const padding = parseTfPadding(layer.config.padding, layer.name);
    let prePads: Pads4 | undefined;
    let x: Value;
    if (entry.pendingPads && padding === 'valid') {
      prePads = entry.pendingPads;
      x = entry.value;
    } else x = take(inputName);
    let w = kernel;
    let bias = layer.config.use_bias === false ? undefined : weight(layer, 'bias').data;
    const bn = foldableBatchNorm(layer);
    if (bn) {
      ({ weight: w, bias } = foldBatchNorm(w, bias, batchNormParams(bn)));
      folded.add(bn.name);
    }
    const spec = {
      stem: layer.name,
      weight: w,
      strides: pair(layer.config.strides ?? 1, layer, 'strides'),
      dilations: pair(layer.config.dilation_rate ?? 1, layer, 'dilation_rate'),
      padding,
      group,
      ...(bias ? { bias } : {}),
      ...(prePads ? { prePads } : {}),
    };
    const y = activate(layer, graph.conv(x, spec), layer.config.activation);
    if (bn) entries.set(bn.name, { value: y });
    return y;
  };

  for (const layer of order) {
    countInto(sourceOps, layer.class_name);
    if (folded.has(layer.name)) continue;
    const inputs = inboundNames(layer);
    const only = (): string => {
      if (inputs.length !== 1) fail(layer, `expects one input, has ${inputs.length}`);
      return inputs[0]!;
    };
    let out: Value | undefined;
    switch (layer.class_name) {
      case 'InputLayer': {
        const shape = layer.config.batch_input_shape as (number | null)[] | undefined;
        if (!shape || shape.length !== 4 || shape.slice(1).some((d) => typeof d !== 'number')) {
          fail(layer, `input shape ${JSON.stringify(shape)} is not [batch, H, W, C] with static H, W, C`);
        }
        const [, h, w, c] = shape as [null, number, number, number];
        out = graph.imageInput(options.inputName ?? 'input', c, h, w);
        break;
      }
      case 'Conv2D': {
        const kernel = weight(layer, 'kernel');
        out = convLayer(layer, only(), convKernelToOnnx(kernel), 1);
        break;
      }
      case 'DepthwiseConv2D': {
        const kernel = weight(layer, 'depthwise_kernel');
        out = convLayer(layer, only(), depthwiseKernelToOnnx(kernel), kernel.shape[2]!);
        break;
      }
      case 'BatchNormalization': {
        const x = take(only());
        const axis = Number(Array.isArray(layer.config.axis) ? layer.config.axis[0] : layer.config.axis ?? -1);
        if (nchwAxis(axis, x.shape.length + 1, layer) !== 1) fail(layer, `normalising axis ${axis} (not the channel axis) is not supported`);
        const { scale, shift } = batchNormAffine(batchNormParams(layer));
        out = graph.channelAffine(x, layer.name, scale, shift);
        break;
      }
      case 'ReLU': {
        const x = take(only());
        const max = layer.config.max_value;
        const slope = Number(layer.config.negative_slope ?? 0);
        const threshold = Number(layer.config.threshold ?? 0);
        if (slope !== 0 || threshold !== 0) fail(layer, 'negative_slope / threshold are not supported');
        if (max === null || max === undefined) out = graph.activation(x, 'relu');
        else if (Number(max) === 6) out = graph.activation(x, 'relu6');
        else out = { name: graph.node('Clip', [x.name, graph.scalar(0), graph.scalar(Number(max))]), shape: x.shape };
        break;
      }
      case 'LeakyReLU':
        out = graph.activation(take(only()), 'leaky_relu', Number(layer.config.alpha ?? 0.3));
        break;
      case 'Activation':
        out = activate(layer, take(only()), layer.config.activation);
        break;
      case 'Add':
        out = graph.add(inputs.map(take));
        break;
      case 'Concatenate': {
        const xs = inputs.map(take);
        out = graph.concat(xs, nchwAxis(Number(layer.config.axis ?? -1), xs[0]!.shape.length + 1, layer));
        break;
      }
      case 'ZeroPadding2D': {
        channelsLast(layer);
        const p = layer.config.padding;
        let pads: Pads4;
        if (typeof p === 'number') pads = [p, p, p, p];
        else if (Array.isArray(p) && p.every((v) => typeof v === 'number')) {
          const [ph, pw] = pair(p, layer, 'padding');
          pads = [ph, pw, ph, pw];
        } else {
          const [[t, b], [l, r]] = [pair((p as unknown[])[0], layer, 'padding'), pair((p as unknown[])[1], layer, 'padding')];
          pads = [t, l, b, r];
        }
        const source = only();
        const x = take(source);
        const next = consumers.get(layer.name) ?? [];
        const intoValidConvs = next.length > 0 && next.every((c) => (c.class_name === 'Conv2D' || c.class_name === 'DepthwiseConv2D') && parseTfPadding(c.config.padding, c.name) === 'valid');
        if (intoValidConvs) entries.set(layer.name, { value: x, pendingPads: pads });
        else out = graph.pad(x, pads);
        break;
      }
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        channelsLast(layer);
        const kernel = pair(layer.config.pool_size ?? 2, layer, 'pool_size');
        const strides = layer.config.strides === null || layer.config.strides === undefined ? kernel : pair(layer.config.strides, layer, 'strides');
        out = graph.pool(take(only()), {
          op: layer.class_name === 'MaxPooling2D' ? 'MaxPool' : 'AveragePool',
          kernel,
          strides,
          padding: parseTfPadding(layer.config.padding ?? 'valid', layer.name),
        });
        break;
      }
      case 'GlobalAveragePooling2D':
      case 'GlobalMaxPooling2D':
        channelsLast(layer);
        if (layer.config.keepdims === true) fail(layer, 'keepdims=true is not supported');
        out = graph.globalPool(take(only()), layer.class_name === 'GlobalAveragePooling2D' ? 'GlobalAveragePool' : 'GlobalMaxPool');
        break;
      case 'Flatten':
        channelsLast(layer);
        out = graph.flattenChannelsLast(take(only()));
        break;
      case 'Dense': {
        const x = take(only());
        features ??= x;
        const kernel = weight(layer, 'kernel');
        const bias = layer.config.use_bias === false ? undefined : optionalWeight(layer, 'bias');
        out = activate(layer, graph.dense(x, layer.name, { dims: kernel.shape, data: kernel.data }, bias), layer.config.activation);
        break;
      }
      default:
        if (IDENTITY_LAYERS.has(layer.class_name)) {
          out = take(only());
          break;
        }
        fail(layer, 'layer type not supported by the importer');
    }
    if (out) entries.set(layer.name, { value: out });
  }

  const result = take(topology.outputs[0]!);
  if (result.shape.length !== 1) throw new AppError('MODEL_INVALID', `model output has shape [N,${result.shape.join(',')}], expected [N, classes]`);
  const outputName = options.outputName ?? 'probabilities';
  const featuresName = options.featuresName ?? 'features';
  graph.output(outputName, result);
  if (features) graph.output(featuresName, features);
  const input = entries.get(topology.inputs[0]!)!.value;
  const onnx = graph.g.toBytes({ doc: options.doc ?? '', ...(options.metadata ? { metadata: options.metadata } : {}) });
  return {
    onnx,
    input: { name: input.name, channels: input.shape[0]!, height: input.shape[1]!, width: input.shape[2]! },
    output: { name: outputName, size: result.shape[0]!, kind: softmaxOutputs.has(result.name) ? 'probabilities' : 'logits' },
    ...(features ? { features: { name: featuresName, size: features.shape[0]! } } : {}),
    sourceOps: sortedCounts(sourceOps),
    onnxOps: sortedCounts(graph.opCounts),
  };
}
