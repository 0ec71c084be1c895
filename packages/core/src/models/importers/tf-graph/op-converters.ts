/** TF op → its converter: the set of ops the importer supports. */
import { ACTIVATIONS, producesValue, type OpConverter } from './conversion.js';
import { convertConv2D, convertDepthwiseConv2D } from './conv-ops.js';
import { ELEMENTWISE_OPS, convertElementwise } from './elementwise-ops.js';
import { convertMatMul } from './matmul-ops.js';
import { convertMean, convertPool } from './pooling-ops.js';
import { convertConcatV2, convertSqueeze } from './shape-ops.js';
import { PASS_THROUGH_OPS, convertConst, convertPassThrough, convertPlaceholder } from './source-ops.js';

const OP_CONVERTERS: ReadonlyMap<string, OpConverter> = new Map<string, OpConverter>([
  ['Const', convertConst],
  ['Placeholder', convertPlaceholder],
  ['Conv2D', convertConv2D],
  ['_FusedConv2D', convertConv2D],
  ['DepthwiseConv2dNative', convertDepthwiseConv2D],
  ['FusedDepthwiseConv2dNative', convertDepthwiseConv2D],
  ['MatMul', convertMatMul],
  ['_FusedMatMul', convertMatMul],
  ...ELEMENTWISE_OPS.map((op): [string, OpConverter] => [op, convertElementwise]),
  ['AvgPool', convertPool],
  ['MaxPool', convertPool],
  ['Mean', convertMean],
  ['Squeeze', convertSqueeze],
  ['ConcatV2', convertConcatV2],
  ...PASS_THROUGH_OPS.map((op): [string, OpConverter] => [op, convertPassThrough]),
]);

/** A standalone activation op (Relu, Softmax, ...) as its ONNX activation. */
const convertActivation = producesValue((c, node, ins) => c.activate(node, c.value(node, ins[0]!), node.op));

/** The converter for `op`, undefined when the importer does not support it. */
export function converterFor(op: string): OpConverter | undefined {
  return OP_CONVERTERS.get(op) ?? (ACTIVATIONS.has(op) ? convertActivation : undefined);
}
