/**
 * Conv2D and DepthwiseConv2dNative, plain or fused by the TF.js converter (_FusedConv2D,
 * FusedDepthwiseConv2dNative): a BiasAdd or FusedBatchNorm step becomes the conv's bias or folded
 * weights, and a following activation its own node.
 */
import { convKernelToOnnx, depthwiseKernelToOnnx, foldBatchNorm, type OnnxWeight } from '../kernels.js';
import type { Value } from '../nchw-graph.js';
import { producesValue, type TfGraphConversion } from './conversion.js';
import { dataInputs, fail, paddingOf, requireNhwc, spatialPair, texts, type TfNode } from './node.js';

function conv(c: TfGraphConversion, node: TfNode, depthwise: boolean): Value {
  requireNhwc(node);
  const [xName, filterName, ...args] = dataInputs(node);
  const x = c.value(node, xName!);
  const filter = c.constant(node, filterName!);
  let weight: OnnxWeight = depthwise ? depthwiseKernelToOnnx(filter) : convKernelToOnnx(filter);
  let bias: Float32Array | undefined;
  const fused = texts(node.attr?.fused_ops);
  let rest = fused;
  if (fused[0] === 'BiasAdd') {
    bias = c.constant(node, args[0]!).data;
    rest = fused.slice(1);
  } else if (fused[0] === 'FusedBatchNorm') {
    const [scale, offset, mean, variance] = args.map((a) => c.constant(node, a).data);
    ({ weight, bias } = foldBatchNorm(weight, undefined, {
      gamma: scale!,
      beta: offset!,
      mean: mean!,
      variance: variance!,
      epsilon: node.attr?.epsilon?.f ?? 1e-3,
    }));
    rest = fused.slice(1);
  }
  if (rest.length > 1) fail(node, `fused ops [${fused.join(', ')}] are not supported`);
  const pad = paddingOf(node);
  const y = c.graph.conv(x, {
    stem: node.name,
    weight,
    strides: spatialPair(node, 'strides', 1),
    dilations: spatialPair(node, 'dilations', 1),
    padding: pad,
    group: depthwise ? filter.shape[2]! : 1,
    ...(bias ? { bias } : {}),
  });
  return rest[0] ? c.activate(node, y, rest[0]) : y;
}

export const convertConv2D = producesValue((c, node) => conv(c, node, false));

export const convertDepthwiseConv2D = producesValue((c, node) => conv(c, node, true));
