/**
 * BiasAdd, Add(V2), Sub, Mul and RealDiv between two tensors or a tensor and a constant (the input
 * scaling TF-Hub models start with); a per-channel constant broadcasts over the NCHW map.
 */
import { producesValue } from './conversion.js';
import { fail, requireNhwc } from './node.js';

const ONNX_OPS = { BiasAdd: 'Add', Add: 'Add', AddV2: 'Add', Sub: 'Sub', Mul: 'Mul', RealDiv: 'Div' } as const;

export const ELEMENTWISE_OPS = Object.keys(ONNX_OPS);

export const convertElementwise = producesValue((c, node, ins) => {
  requireNhwc(node);
  const op = ONNX_OPS[node.op as keyof typeof ONNX_OPS];
  const [l, r] = [c.operand(node, ins[0]!), c.operand(node, ins[1]!)];
  if (l.kind === 'value' && r.kind === 'value') return c.graph.binary(op, l.value, r.value);
  if (l.kind === 'value' && r.kind === 'const') return c.graph.binaryConst(op, l.value, `${node.name}.y`, r.tensor);
  if (l.kind === 'const' && r.kind === 'value') return c.graph.binaryConst(op, r.value, `${node.name}.x`, l.tensor, true);
  return fail(node, 'constant folding of two constants is not supported');
});
