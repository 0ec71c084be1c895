/**
 * The trainable head on top of frozen backbone features: `linear` (one dense layer) or `mlp`
 * (dense → ReLU → dense), trained with softmax cross-entropy. Weights are row-major [out, in]
 * (ONNX Gemm with transB = 1 uses them as they are). Features are read from a float32 matrix (as
 * extracted); standardised rows, weights and all arithmetic are float64; the exported head is
 * float32, like the ONNX graph it becomes.
 */
import { uniform, type Random } from './random.js';

export type HeadKind = 'linear' | 'mlp';

/** Row-major [rows × width] backbone features: float32 as extracted (float64 is read the same way). */
export type FeatureMatrix = Float32Array | Float64Array;

export interface Dense {
  inputs: number;
  outputs: number;
  /** [outputs × inputs], row-major. */
  weight: Float64Array;
  bias: Float64Array;
}

export interface Head {
  kind: HeadKind;
  /** 1 for linear, 2 for mlp (a ReLU between them). */
  layers: Dense[];
}

export interface HeadShape {
  kind: HeadKind;
  inputs: number;
  classes: number;
  /** Hidden width of the mlp head. */
  hidden?: number;
}

export const DEFAULT_MLP_HIDDEN = 256;
const OUTPUT_GAIN = 1e-4;

function dense(inputs: number, outputs: number, random: Random, gain: number): Dense {
  // Glorot / He uniform: keeps activations of standardised inputs near unit scale.
  const limit = Math.sqrt((gain * 3) / inputs);
  const weight = new Float64Array(inputs * outputs);
  for (let i = 0; i < weight.length; i++) weight[i] = uniform(random, limit);
  return { inputs, outputs, weight, bias: new Float64Array(outputs) };
}

/** A freshly initialised head (seeded: same random stream, same weights). */
export function initHead(shape: HeadShape, random: Random): Head {
  // The output layer starts small (gain 0.01): near-uniform predictions, so the first steps learn
  // instead of unlearning a random ranking (what zero-initialised linear probes get, but seeded).
  if (shape.kind === 'linear') return { kind: 'linear', layers: [dense(shape.inputs, shape.classes, random, OUTPUT_GAIN)] };
  const hidden = shape.hidden ?? DEFAULT_MLP_HIDDEN;
  return { kind: 'mlp', layers: [dense(shape.inputs, hidden, random, 2), dense(hidden, shape.classes, random, OUTPUT_GAIN)] };
}

export function cloneHead(head: Head): Head {
  return { kind: head.kind, layers: head.layers.map((l) => ({ ...l, weight: l.weight.slice(), bias: l.bias.slice() })) };
}

/** y[n × out] = x[n × in] · Wᵀ + b. */
function denseForward(layer: Dense, x: Float64Array, n: number): Float64Array {
  const { inputs, outputs, weight, bias } = layer;
  const y = new Float64Array(n * outputs);
  for (let r = 0; r < n; r++) {
    const xo = r * inputs;
    for (let o = 0; o < outputs; o++) {
      const wo = o * inputs;
      let s = bias[o]!;
      for (let i = 0; i < inputs; i++) s += x[xo + i]! * weight[wo + i]!;
      y[r * outputs + o] = s;
    }
  }
  return y;
}

/** Row-wise softmax in place (max-subtracted, so large logits do not overflow). */
export function softmaxRows(values: Float64Array, n: number, width: number): Float64Array {
  for (let r = 0; r < n; r++) {
    const o = r * width;
    let max = -Infinity;
    for (let k = 0; k < width; k++) max = Math.max(max, values[o + k]!);
    let sum = 0;
    for (let k = 0; k < width; k++) {
      const e = Math.exp(values[o + k]! - max);
      values[o + k] = e;
      sum += e;
    }
    for (let k = 0; k < width; k++) values[o + k] = values[o + k]! / sum;
  }
  return values;
}

interface ForwardTrace {
  /** Input of each layer (after the ReLU for the second mlp layer). */
  inputs: Float64Array[];
  probabilities: Float64Array;
}

function forwardTrace(head: Head, x: Float64Array, n: number): ForwardTrace {
  const inputs: Float64Array[] = [];
  let a = x;
  for (let l = 0; l < head.layers.length; l++) {
    inputs.push(a);
    a = denseForward(head.layers[l]!, a, n);
    if (l < head.layers.length - 1) for (let i = 0; i < a.length; i++) if (a[i]! < 0) a[i] = 0;
  }
  const classes = head.layers.at(-1)!.outputs;
  return { inputs, probabilities: softmaxRows(a, n, classes) };
}

/** Class probabilities for n rows of features. */
export function predict(head: Head, x: Float64Array, n: number): Float64Array {
  return forwardTrace(head, x, n).probabilities;
}

export interface LossStats {
  /** Mean cross-entropy over the rows. */
  loss: number;
  /** Rows whose arg-max is not their label. */
  errors: number;
}

const EPS = 1e-12;

/**
 * Adds n rows' cross-entropy (summed, not averaged) and wrong arg-max predictions to `total`.
 * Called chunk after chunk in row order, the sums are bit for bit those of one pass over all rows.
 */
export function accumulateLoss(head: Head, x: Float64Array, y: ArrayLike<number>, n: number, total: LossStats): void {
  const p = predict(head, x, n);
  const classes = head.layers.at(-1)!.outputs;
  for (let r = 0; r < n; r++) {
    const o = r * classes;
    const label = y[r]!;
    total.loss -= Math.log(Math.max(p[o + label]!, EPS));
    let best = 0;
    for (let k = 1; k < classes; k++) if (p[o + k]! > p[o + best]!) best = k;
    if (best !== label) total.errors++;
  }
}

/** Mean softmax cross-entropy and the number of wrong arg-max predictions. */
export function evaluate(head: Head, x: Float64Array, y: ArrayLike<number>, n: number): LossStats {
  const total = { loss: 0, errors: 0 };
  accumulateLoss(head, x, y, n, total);
  return { loss: n > 0 ? total.loss / n : 0, errors: total.errors };
}

export interface Gradients {
  layers: Array<{ weight: Float64Array; bias: Float64Array }>;
}

/** Mean cross-entropy of a mini-batch and its gradient with respect to every weight and bias. */
export function lossAndGradients(head: Head, x: Float64Array, y: ArrayLike<number>, n: number): { loss: number; gradients: Gradients } {
  const trace = forwardTrace(head, x, n);
  const classes = head.layers.at(-1)!.outputs;
  // dL/dlogits = (p - onehot) / n for the mean loss.
  const delta0 = trace.probabilities;
  let loss = 0;
  for (let r = 0; r < n; r++) {
    const at = r * classes + y[r]!;
    loss -= Math.log(Math.max(delta0[at]!, EPS));
    delta0[at] = delta0[at]! - 1;
  }
  for (let i = 0; i < delta0.length; i++) delta0[i] = delta0[i]! / n;

  const grads: Gradients['layers'] = [];
  let delta = delta0;
  for (let l = head.layers.length - 1; l >= 0; l--) {
    const { inputs, outputs, weight } = head.layers[l]!;
    const a = trace.inputs[l]!;
    const gw = new Float64Array(inputs * outputs);
    const gb = new Float64Array(outputs);
    for (let r = 0; r < n; r++) {
      const ao = r * inputs;
      for (let o = 0; o < outputs; o++) {
        const d = delta[r * outputs + o]!;
        if (d === 0) continue;
        gb[o] = gb[o]! + d;
        const wo = o * inputs;
        for (let i = 0; i < inputs; i++) gw[wo + i] = gw[wo + i]! + d * a[ao + i]!;
      }
    }
    grads[l] = { weight: gw, bias: gb };
    if (l > 0) {
      // Back through this layer and the ReLU before it (a > 0 where the ReLU passed).
      const next = new Float64Array(n * inputs);
      for (let r = 0; r < n; r++) {
        const ao = r * inputs;
        for (let o = 0; o < outputs; o++) {
          const d = delta[r * outputs + o]!;
          if (d === 0) continue;
          const wo = o * inputs;
          for (let i = 0; i < inputs; i++) next[ao + i] = next[ao + i]! + d * weight[wo + i]!;
        }
        for (let i = 0; i < inputs; i++) if (a[ao + i]! <= 0) next[ao + i] = 0;
      }
      delta = next;
    }
  }
  return { loss: n > 0 ? loss / n : 0, gradients: { layers: grads } };
}

/** Per-feature standardisation learnt on the training rows. */
export interface Standardiser {
  mean: Float64Array;
  std: Float64Array;
}

/**
 * Mean and standard deviation per feature of `n` rows of a row-major matrix: rows[0..n-1] when
 * `rows` is given (the training rows, read in place), else rows 0..n-1. Accumulated in float64
 * whatever the matrix holds.
 */
export function fitStandardiser(x: FeatureMatrix, n: number, width: number, rows?: ArrayLike<number>): Standardiser {
  const mean = new Float64Array(width);
  const std = new Float64Array(width);
  const start = (r: number): number => (rows ? rows[r]! : r) * width;
  for (let r = 0; r < n; r++) {
    const o = start(r);
    for (let i = 0; i < width; i++) mean[i] = mean[i]! + x[o + i]!;
  }
  for (let i = 0; i < width; i++) mean[i] = mean[i]! / Math.max(1, n);
  for (let r = 0; r < n; r++) {
    const o = start(r);
    for (let i = 0; i < width; i++) {
      const d = x[o + i]! - mean[i]!;
      std[i] = std[i]! + d * d;
    }
  }
  // A constant feature (dead ReLU channel) keeps std 1: it then contributes only through the bias.
  for (let i = 0; i < width; i++) {
    const s = Math.sqrt(std[i]! / Math.max(1, n));
    std[i] = s > 1e-6 ? s : 1;
  }
  return { mean, std };
}

/**
 * The given rows of a row-major matrix, standardised, as a new float64 [rows.length × width]:
 * training takes one mini-batch or evaluation chunk at a time, never a standardised copy of a set.
 */
export function standardiseRows(x: FeatureMatrix, rows: ArrayLike<number>, s: Standardiser): Float64Array {
  const width = s.mean.length;
  const out = new Float64Array(rows.length * width);
  for (let r = 0; r < rows.length; r++) {
    const xo = rows[r]! * width;
    const oo = r * width;
    for (let i = 0; i < width; i++) out[oo + i] = (x[xo + i]! - s.mean[i]!) / s.std[i]!;
  }
  return out;
}

/** The first n rows of a row-major matrix, standardised. */
export function standardise(x: FeatureMatrix, n: number, s: Standardiser): Float64Array {
  return standardiseRows(
    x,
    Uint32Array.from({ length: n }, (_, r) => r),
    s,
  );
}

/**
 * Folds the standardisation into the first layer, so the exported head takes raw backbone
 * features: W' = W / σ (per input), b' = b − W' · μ. Weights become float32 values (as stored in
 * ONNX), kept in float64 arrays so TS inference matches the graph.
 */
export function foldStandardiser(head: Head, s: Standardiser): Head {
  const out = cloneHead(head);
  const first = out.layers[0]!;
  for (let o = 0; o < first.outputs; o++) {
    let shift = 0;
    for (let i = 0; i < first.inputs; i++) {
      const at = o * first.inputs + i;
      const w = first.weight[at]! / s.std[i]!;
      first.weight[at] = w;
      shift += w * s.mean[i]!;
    }
    first.bias[o] = first.bias[o]! - shift;
  }
  for (const layer of out.layers) {
    layer.weight = Float64Array.from(Float32Array.from(layer.weight));
    layer.bias = Float64Array.from(Float32Array.from(layer.bias));
  }
  return out;
}
