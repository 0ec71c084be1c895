/** Windowed (Max / Average) and global pooling layers. */
import { parseTfPadding } from '../tf-padding.js';
import type { LayerConverter } from './conversion.js';
import { fail, onlyInput, pair, requireChannelsLast } from './layer.js';

export const convertPooling2D: LayerConverter = (c, layer, inputs) => {
  requireChannelsLast(layer);
  const kernel = pair(layer.config.pool_size ?? 2, layer, 'pool_size');
  // Keras defaults the strides to the pool size.
  const strides = layer.config.strides === null || layer.config.strides === undefined ? kernel : pair(layer.config.strides, layer, 'strides');
  return c.graph.pool(c.take(onlyInput(layer, inputs)), {
    op: layer.class_name === 'MaxPooling2D' ? 'MaxPool' : 'AveragePool',
    kernel,
    strides,
    padding: parseTfPadding(layer.config.padding ?? 'valid', layer.name),
  });
};

export const convertGlobalPooling2D: LayerConverter = (c, layer, inputs) => {
  requireChannelsLast(layer);
  if (layer.config.keepdims === true) fail(layer, 'keepdims=true is not supported');
  return c.graph.globalPool(c.take(onlyInput(layer, inputs)), layer.class_name === 'GlobalAveragePooling2D' ? 'GlobalAveragePool' : 'GlobalMaxPool');
};
