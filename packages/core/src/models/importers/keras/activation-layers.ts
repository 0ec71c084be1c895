/** ReLU (with max_value as relu6 or Clip), LeakyReLU and Activation layers. */
import type { LayerConverter } from './conversion.js';
import { fail, onlyInput } from './layer.js';

export const convertReLU: LayerConverter = (c, layer, inputs) => {
  const x = c.take(onlyInput(layer, inputs));
  const max = layer.config.max_value;
  const slope = Number(layer.config.negative_slope ?? 0);
  const threshold = Number(layer.config.threshold ?? 0);
  if (slope !== 0 || threshold !== 0) fail(layer, 'negative_slope / threshold are not supported');
  if (max === null || max === undefined) return c.graph.activation(x, 'relu');
  if (Number(max) === 6) return c.graph.activation(x, 'relu6');
  return { name: c.graph.node('Clip', [x.name, c.graph.scalar(0), c.graph.scalar(Number(max))]), shape: x.shape };
};

export const convertLeakyReLU: LayerConverter = (c, layer, inputs) =>
  c.graph.activation(c.take(onlyInput(layer, inputs)), 'leaky_relu', Number(layer.config.alpha ?? 0.3));

export const convertActivation: LayerConverter = (c, layer, inputs) => c.activate(layer, c.take(onlyInput(layer, inputs)), layer.config.activation);
