/**
 * Converts a TF.js `graph-model` (a frozen TensorFlow GraphDef as JSON, NHWC) to an NCHW ONNX
 * graph. It covers what the TF.js converter emits for CNN classifiers: Conv2D / _FusedConv2D,
 * DepthwiseConv2dNative / FusedDepthwiseConv2dNative (BiasAdd, FusedBatchNorm and an activation
 * fused in), elementwise ops with constants (the input scaling of TF-Hub models), pooling, Mean as
 * global pooling, Squeeze, ConcatV2, MatMul / _FusedMatMul and Softmax. The graph is walked back from
 * its signature output, so unused nodes never reach the ONNX file.
 *
 * The parts live in tf-graph/: the walk, the per-conversion state, and one file per family of op
 * converters (converterFor looks them up).
 */
import { AppError } from '../../errors.js';
import type { WeightMap } from './tfjs-weights.js';
import { countInto, type ConvertOptions, type ConvertedModel } from './converted-model.js';
import { packConvertedModel } from './packed-model.js';
import { TfGraphConversion } from './tf-graph/conversion.js';
import { dataInputs, fail, type TfNode } from './tf-graph/node.js';
import { converterFor } from './tf-graph/op-converters.js';
import { findOutputNode, postOrderFrom, type TfGraphSignature } from './tf-graph/walk.js';

export type { TfGraphSignature } from './tf-graph/walk.js';

export function convertTfGraphModel(modelTopology: unknown, weights: WeightMap, options: ConvertOptions & { signature?: TfGraphSignature }): ConvertedModel {
  const nodes = (modelTopology as { node?: TfNode[] }).node;
  if (!Array.isArray(nodes)) throw new AppError('MODEL_INVALID', 'TF graph model without nodes');
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const outputNode = findOutputNode(nodes, byName, options.signature);
  const order = postOrderFrom(outputNode, byName);

  const c = new TfGraphConversion(options, weights);
  const sourceOps: Record<string, number> = {};
  for (const node of order) {
    countInto(sourceOps, node.op);
    const ins = dataInputs(node);
    const convert = converterFor(node.op);
    if (!convert) fail(node, 'op not supported by the importer');
    c.operands.set(node.name, convert(c, node, ins));
  }

  const input = c.input;
  if (!input) throw new AppError('MODEL_INVALID', 'TF graph has no Placeholder input');
  const result = c.value(outputNode, outputNode.name);
  if (result.shape.length !== 1) throw new AppError('MODEL_INVALID', `graph output has shape [N,${result.shape.join(',')}], expected [N, classes]`);
  return packConvertedModel({ graph: c.graph, input, result, features: c.features, softmaxOutputs: c.softmaxOutputs, sourceOps }, options);
}
