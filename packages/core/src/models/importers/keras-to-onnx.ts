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
 *
 * The parts live in keras/: the topology walk, the per-conversion state, and one file per family
 * of layer converters (LAYER_CONVERTERS lists them all).
 */
import { AppError } from '../../errors.js';
import type { WeightMap } from './tfjs-weights.js';
import { countInto, type ConvertOptions, type ConvertedModel } from './converted-model.js';
import { packConvertedModel } from './packed-model.js';
import { KerasConversion } from './keras/conversion.js';
import { fail } from './keras/layer.js';
import { LAYER_CONVERTERS } from './keras/layer-converters.js';
import { consumersOf, inboundNames, readTopology, topologicalOrder } from './keras/topology.js';

export function convertKerasModel(modelTopology: unknown, weights: WeightMap, options: ConvertOptions): ConvertedModel {
  const topology = readTopology(modelTopology);
  if (topology.inputs.length !== 1 || topology.outputs.length !== 1) {
    throw new AppError(
      'MODEL_INVALID',
      `only single-input, single-output models are supported (inputs ${topology.inputs.length}, outputs ${topology.outputs.length})`,
    );
  }
  const order = topologicalOrder(topology.layers);
  const c = new KerasConversion(options, weights, consumersOf(order));
  const sourceOps: Record<string, number> = {};

  for (const layer of order) {
    countInto(sourceOps, layer.class_name);
    if (c.folded.has(layer.name)) continue;
    const inputs = inboundNames(layer);
    const convert = LAYER_CONVERTERS.get(layer.class_name);
    if (!convert) fail(layer, 'layer type not supported by the importer');
    const out = convert(c, layer, inputs);
    if (out) c.entries.set(layer.name, { value: out });
  }

  const result = c.take(topology.outputs[0]!);
  if (result.shape.length !== 1) throw new AppError('MODEL_INVALID', `model output has shape [N,${result.shape.join(',')}], expected [N, classes]`);
  const input = c.entries.get(topology.inputs[0]!)!.value;
  return packConvertedModel({ graph: c.graph, input, result, features: c.features, softmaxOutputs: c.softmaxOutputs, sourceOps }, options);
}
