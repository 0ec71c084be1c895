/**
 * Weight re-layouts between TensorFlow (channels-last) and ONNX (channels-first) conventions, and
 * batch-norm folding. Arithmetic is done in double and rounded once to float32.
 */
import type { FloatTensor } from './tfjs-weights.js';

export interface OnnxWeight {
  dims: number[];
  data: Float32Array;
}

/** Conv2D kernel [kh, kw, in, out] (HWIO) → ONNX Conv weight [out, in, kh, kw]. */
export function convKernelToOnnx(kernel: FloatTensor): OnnxWeight {
  const [kh, kw, cin, cout] = kernel.shape as [number, number, number, number];
  const data = new Float32Array(kernel.data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++) for (let o = 0; o < cout; o++) data[((o * cin + i) * kh + y) * kw + x] = kernel.data[((y * kw + x) * cin + i) * cout + o]!;
  return { dims: [cout, cin, kh, kw], data };
}

/**
 * DepthwiseConv2D kernel [kh, kw, in, multiplier] → ONNX grouped Conv weight [in·m, 1, kh, kw] with
 * group = in. TF orders the outputs channel-major: output c·m + j comes from input c.
 */
export function depthwiseKernelToOnnx(kernel: FloatTensor): OnnxWeight {
  const [kh, kw, cin, mult] = kernel.shape as [number, number, number, number];
  const data = new Float32Array(kernel.data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let c = 0; c < cin; c++) for (let j = 0; j < mult; j++) data[((c * mult + j) * kh + y) * kw + x] = kernel.data[((y * kw + x) * cin + c) * mult + j]!;
  return { dims: [cin * mult, 1, kh, kw], data };
}

export interface BatchNormParams {
  /** Absent when the layer was built with scale=False (γ = 1). */
  gamma?: Float32Array;
  /** Absent when the layer was built with center=False (β = 0). */
  beta?: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
  epsilon: number;
}

/** y = x·scale + shift, per channel, equal to (x − mean) / sqrt(var + ε) · γ + β. */
export function batchNormAffine(bn: BatchNormParams): { scale: Float64Array; shift: Float64Array } {
  const n = bn.mean.length;
  const scale = new Float64Array(n);
  const shift = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    scale[c] = (bn.gamma?.[c] ?? 1) / Math.sqrt(bn.variance[c]! + bn.epsilon);
    shift[c] = (bn.beta?.[c] ?? 0) - bn.mean[c]! * scale[c]!;
  }
  return { scale, shift };
}

/** Folds a batch norm that follows a conv into the conv's weight (ONNX layout, out-channel first) and bias. */
export function foldBatchNorm(weight: OnnxWeight, bias: Float32Array | undefined, bn: BatchNormParams): { weight: OnnxWeight; bias: Float32Array } {
  const out = weight.dims[0]!;
  if (bn.mean.length !== out) throw new Error(`batch norm over ${bn.mean.length} channels follows a conv with ${out} outputs`);
  const { scale, shift } = batchNormAffine(bn);
  const per = weight.data.length / out;
  const data = new Float32Array(weight.data.length);
  const folded = new Float32Array(out);
  for (let o = 0; o < out; o++) {
    const s = scale[o]!;
    for (let k = 0; k < per; k++) data[o * per + k] = weight.data[o * per + k]! * s;
    folded[o] = (bias?.[o] ?? 0) * s + shift[o]!;
  }
  return { weight: { dims: weight.dims, data }, bias: folded };
}
