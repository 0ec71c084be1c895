/**
 * The last step both TF.js converters share: expose the classifier (and features) outputs under
 * their configured names, serialise the graph, and report the facts a manifest needs.
 */
import { sortedCounts, type ConvertOptions, type ConvertedModel } from './converted-model.js';
import type { NchwGraph, Value } from './nchw-graph.js';

export interface FinishedGraph {
  graph: NchwGraph;
  input: Value;
  /** The classifier output, checked by the caller to be [N, classes]. */
  result: Value;
  /** The pooled backbone output feeding the first dense layer, when there is one. */
  features: Value | undefined;
  /** Values produced by a softmax: the output kind is 'probabilities' when `result` is one. */
  softmaxOutputs: ReadonlySet<string>;
  /** Source layer classes or ops → count. */
  sourceOps: Record<string, number>;
}

export function packConvertedModel({ graph, input, result, features, softmaxOutputs, sourceOps }: FinishedGraph, options: ConvertOptions): ConvertedModel {
  const outputName = options.outputName ?? 'probabilities';
  const featuresName = options.featuresName ?? 'features';
  graph.output(outputName, result);
  if (features) graph.output(featuresName, features);
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
