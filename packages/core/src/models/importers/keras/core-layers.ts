/** InputLayer, Dense, Flatten, and the training-only layers that are identities at inference. */
import type { LayerConverter } from './conversion.js';
import { fail, onlyInput, requireChannelsLast } from './layer.js';

/** Dropout and friends only act while training. */
export const IDENTITY_LAYERS = [
  'Dropout',
  'SpatialDropout1D',
  'SpatialDropout2D',
  'GaussianNoise',
  'GaussianDropout',
  'AlphaDropout',
  'ActivityRegularization',
];

export const convertIdentity: LayerConverter = (c, layer, inputs) => c.take(onlyInput(layer, inputs));

export const convertInputLayer: LayerConverter = (c, layer) => {
  const shape = layer.config.batch_input_shape as (number | null)[] | undefined;
  if (!shape || shape.length !== 4 || shape.slice(1).some((d) => typeof d !== 'number')) {
    fail(layer, `input shape ${JSON.stringify(shape)} is not [batch, H, W, C] with static H, W, C`);
  }
  const [, h, w, channels] = shape as [null, number, number, number];
  return c.graph.imageInput(c.options.inputName ?? 'input', channels, h, w);
};

/** Its input, the first Dense's, is recorded as the model's features output. */
export const convertDense: LayerConverter = (c, layer, inputs) => {
  const x = c.take(onlyInput(layer, inputs));
  c.features ??= x;
  const kernel = c.weight(layer, 'kernel');
  const bias = layer.config.use_bias === false ? undefined : c.optionalWeight(layer, 'bias');
  return c.activate(layer, c.graph.dense(x, layer.name, { dims: kernel.shape, data: kernel.data }, bias), layer.config.activation);
};

export const convertFlatten: LayerConverter = (c, layer, inputs) => {
  requireChannelsLast(layer);
  return c.graph.flattenChannelsLast(c.take(onlyInput(layer, inputs)));
};
