/**
 * Conv2D and DepthwiseConv2D, with the two folds that shrink MobileNet-style graphs: a following
 * BatchNormalization becomes the conv's weights and bias, and a ZeroPadding2D feeding only 'valid'
 * convs becomes their pads instead of a Pad node.
 */
import { convKernelToOnnx, depthwiseKernelToOnnx, foldBatchNorm, type OnnxWeight } from '../kernels.js';
import type { Pads4, Value } from '../nchw-graph.js';
import { parseTfPadding } from '../tf-padding.js';
import { batchNormParams, foldableBatchNorm } from './batch-norm.js';
import type { KerasConversion, LayerConverter } from './conversion.js';
import { fail, onlyInput, pair, requireChannelsLast, type KerasLayer } from './layer.js';

function convLayer(c: KerasConversion, layer: KerasLayer, inputName: string, kernel: OnnxWeight, group: number): Value {
  requireChannelsLast(layer);
  const entry = c.entries.get(inputName);
  if (!entry) fail(layer, `input "${inputName}" has no value yet`);
  const padding = parseTfPadding(layer.config.padding, layer.name);
  let prePads: Pads4 | undefined;
  let x: Value;
  if (entry.pendingPads && padding === 'valid') {
    prePads = entry.pendingPads;
    x = entry.value;
  } else x = c.take(inputName);
  let w = kernel;
  let bias = layer.config.use_bias === false ? undefined : c.weight(layer, 'bias').data;
  const bn = foldableBatchNorm(c, layer);
  if (bn) {
    ({ weight: w, bias } = foldBatchNorm(w, bias, batchNormParams(c, bn)));
    c.folded.add(bn.name);
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
  const y = c.activate(layer, c.graph.conv(x, spec), layer.config.activation);
  // The folded batch norm's output is the conv's: layers reading the batch norm read this.
  if (bn) c.entries.set(bn.name, { value: y });
  return y;
}

export const convertConv2D: LayerConverter = (c, layer, inputs) => {
  const kernel = c.weight(layer, 'kernel');
  return convLayer(c, layer, onlyInput(layer, inputs), convKernelToOnnx(kernel), 1);
};

export const convertDepthwiseConv2D: LayerConverter = (c, layer, inputs) => {
  const kernel = c.weight(layer, 'depthwise_kernel');
  return convLayer(c, layer, onlyInput(layer, inputs), depthwiseKernelToOnnx(kernel), kernel.shape[2]!);
};

/** Left pending (no node) when every consumer is a 'valid' conv that can take the pads itself. */
export const convertZeroPadding2D: LayerConverter = (c, layer, inputs) => {
  requireChannelsLast(layer);
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
  const source = onlyInput(layer, inputs);
  const x = c.take(source);
  const next = c.consumers.get(layer.name) ?? [];
  const intoValidConvs =
    next.length > 0 &&
    next.every((n) => (n.class_name === 'Conv2D' || n.class_name === 'DepthwiseConv2D') && parseTfPadding(n.config.padding, n.name) === 'valid');
  if (intoValidConvs) {
    c.entries.set(layer.name, { value: x, pendingPads: pads });
    return undefined;
  }
  return c.graph.pad(x, pads);
};
