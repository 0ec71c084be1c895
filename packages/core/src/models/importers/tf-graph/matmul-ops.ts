/**
 * MatMul and _FusedMatMul (a BiasAdd, then an activation, fused in) as a Gemm. The first MatMul's
 * input is recorded as the model's features output.
 */
import type { OnnxWeight } from '../kernels.js';
import { producesValue } from './conversion.js';
import { dataInputs, fail, texts } from './node.js';

export const convertMatMul = producesValue((c, node) => {
  const fusedOp = node.op === '_FusedMatMul';
  const [aName, bName, ...args] = dataInputs(node);
  const a = c.value(node, aName!);
  c.features ??= a;
  if (node.attr?.transpose_a?.b) fail(node, 'transpose_a is not supported');
  const b = c.constant(node, bName!);
  let kernel: OnnxWeight = { dims: b.shape, data: b.data };
  if (node.attr?.transpose_b?.b) {
    // Gemm here takes W as [in, out], as Keras and an untransposed MatMul store it.
    const [out, inF] = b.shape as [number, number];
    const data = new Float32Array(b.data.length);
    for (let o = 0; o < out; o++) for (let i = 0; i < inF; i++) data[i * out + o] = b.data[o * inF + i]!;
    kernel = { dims: [inF, out], data };
  }
  const fused = fusedOp ? texts(node.attr?.fused_ops) : [];
  let bias: Float32Array | undefined;
  let rest = fused;
  if (fused[0] === 'BiasAdd') {
    bias = c.constant(node, args[0]!).data;
    rest = fused.slice(1);
  }
  if (rest.length > 1) fail(node, `fused ops [${fused.join(', ')}] are not supported`);
  const y = c.graph.dense(a, node.name, kernel, bias);
  return rest[0] ? c.activate(node, y, rest[0]) : y;
});
