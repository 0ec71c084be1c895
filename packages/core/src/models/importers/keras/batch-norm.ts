/**
 * BatchNormalization: folded into the linear conv before it when it is that conv's only consumer
 * (fewer nodes, no extra pass over the map), else written as its own per-channel affine op.
 */
import { batchNormAffine, type BatchNormParams } from '../kernels.js';
import type { KerasConversion, LayerConverter } from './conversion.js';
import { fail, nchwAxis, onlyInput, type KerasLayer } from './layer.js';

export function batchNormParams(c: KerasConversion, layer: KerasLayer): BatchNormParams {
  const params: BatchNormParams = {
    mean: c.weight(layer, 'moving_mean').data,
    variance: c.weight(layer, 'moving_variance').data,
    epsilon: Number(layer.config.epsilon ?? 1e-3),
  };
  if (layer.config.scale !== false) params.gamma = c.weight(layer, 'gamma').data;
  if (layer.config.center !== false) params.beta = c.weight(layer, 'beta').data;
  return params;
}

/** The batch norm this conv can absorb: its only consumer, normalising the channel axis. */
export function foldableBatchNorm(c: KerasConversion, conv: KerasLayer): KerasLayer | undefined {
  if (c.activationOf(conv, conv.config.activation) !== 'linear') return undefined;
  const next = c.consumers.get(conv.name);
  const bn = next?.length === 1 ? next[0] : undefined;
  if (!bn || bn.class_name !== 'BatchNormalization') return undefined;
  const axis = bn.config.axis;
  const axes = Array.isArray(axis) ? axis : [axis];
  return axes.length === 1 && (axes[0] === -1 || axes[0] === 3) ? bn : undefined;
}

/** A batch norm no conv absorbed. */
export const convertBatchNormalization: LayerConverter = (c, layer, inputs) => {
  const x = c.take(onlyInput(layer, inputs));
  const axis = Number(Array.isArray(layer.config.axis) ? layer.config.axis[0] : (layer.config.axis ?? -1));
  if (nchwAxis(axis, x.shape.length + 1, layer) !== 1) fail(layer, `normalising axis ${axis} (not the channel axis) is not supported`);
  const { scale, shift } = batchNormAffine(batchNormParams(c, layer));
  return c.graph.channelAffine(x, layer.name, scale, shift);
};
