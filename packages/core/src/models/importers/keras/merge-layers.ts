/** Add and Concatenate: the layers with several inputs. */
import type { LayerConverter } from './conversion.js';
import { nchwAxis } from './layer.js';

export const convertAdd: LayerConverter = (c, _layer, inputs) => c.graph.add(inputs.map((name) => c.take(name)));

export const convertConcatenate: LayerConverter = (c, layer, inputs) => {
  const xs = inputs.map((name) => c.take(name));
  return c.graph.concat(xs, nchwAxis(Number(layer.config.axis ?? -1), xs[0]!.shape.length + 1, layer));
};
