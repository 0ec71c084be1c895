/**
 * Small ONNX graphs that a bring-your-own-model registration must refuse (or accept with a
 * warning), built with the project's GraphBuilder: each is a real, well-formed ModelProto whose
 * problem is in its shapes, ops or weights, not its encoding. The well-behaved exports come from
 * the timm-like generator in @hourglass/core.
 */
import { GraphBuilder, attr, type Dim } from '@hourglass/core/testing';

const ones = (n: number): Float32Array => new Float32Array(n).fill(1);

/** input [batch, 10] → Gemm → [batch, 4]: a tabular model, not an image classifier. */
export function tabularModel(): Uint8Array {
  const g = new GraphBuilder('tabular');
  const x = g.input('features', ['batch', 10]);
  g.node('Gemm', [x, g.weight('w', [4, 10], ones(40)), g.weight('b', [4], ones(4))], { transB: attr.int(1) }, 'logits');
  g.output('logits', ['batch', 4]);
  return g.toBytes();
}

/** An image-shaped [batch,3,H,W] head: GAP → Flatten → Gemm(3 → classes). */
function head(g: GraphBuilder, x: string, classes: number, outputName = 'logits'): string {
  const flat = g.node('Flatten', [g.node('GlobalAveragePool', [x])], { axis: attr.int(1) });
  return g.node(
    'Gemm',
    [flat, g.weight('fc.w', [classes, 3], ones(3 * classes)), g.weight('fc.b', [classes], new Float32Array(classes))],
    { transB: attr.int(1) },
    outputName,
  );
}

/** A minimal valid classifier with any input shape (for layout / size / batch cases). */
export function imageModel(options: { shape?: Dim[]; classes?: number; layout?: 'NCHW' | 'NHWC'; outputShape?: Dim[] } = {}): Uint8Array {
  const layout = options.layout ?? 'NCHW';
  const shape = options.shape ?? (layout === 'NCHW' ? ['batch', 3, 32, 32] : ['batch', 32, 32, 3]);
  const classes = options.classes ?? 4;
  const g = new GraphBuilder('image');
  const x = g.input('pixel_values', shape);
  const nchw = layout === 'NCHW' ? x : g.node('Transpose', [x], { perm: attr.ints([0, 3, 1, 2]) });
  head(g, nchw, classes);
  g.output('logits', options.outputShape ?? [shape[0]!, classes]);
  return g.toBytes();
}

/** Two inputs (an image and a mask): hourglass feeds one tensor. */
export function twoInputModel(): Uint8Array {
  const g = new GraphBuilder('two-inputs');
  const x = g.input('input', ['batch', 3, 16, 16]);
  const m = g.input('mask', ['batch', 3, 16, 16]);
  head(g, g.node('Mul', [x, m]), 4);
  g.output('logits', ['batch', 4]);
  return g.toBytes();
}

/** Output [batch, 4, 1, 1]: not [batch, classes]. */
export function spatialOutputModel(): Uint8Array {
  const g = new GraphBuilder('spatial');
  const x = g.input('input', ['batch', 3, 16, 16]);
  const conv = g.node('Conv', [x, g.weight('w', [4, 3, 1, 1], ones(12))], { kernel_shape: attr.ints([1, 1]) });
  g.node('GlobalAveragePool', [conv], {}, 'logits');
  g.output('logits', ['batch', 4, 1, 1]);
  return g.toBytes();
}

/** Ends in Softmax: registered as probabilities, not logits. */
export function softmaxModel(): Uint8Array {
  const g = new GraphBuilder('softmax');
  const x = g.input('input', ['batch', 3, 16, 16]);
  g.node('Softmax', [head(g, x, 5, 'scores')], { axis: attr.int(1) }, 'probs');
  g.output('probs', ['batch', 5]);
  return g.toBytes();
}

/** Uses an op no onnxruntime implements: fails at load (MODEL_RUN_FAILED). */
export function unknownOpModel(): Uint8Array {
  const g = new GraphBuilder('unknown-op');
  const x = g.input('input', ['batch', 3, 16, 16]);
  head(g, g.node('HourglassNoSuchOp', [x]), 4);
  g.output('logits', ['batch', 4]);
  return g.toBytes();
}

/**
 * Loads fine (the batch is symbolic, so no shape check can fail early) but every run fails: a
 * Reshape to [2, 5] of a [batch, 3] tensor.
 */
export function failsToRunModel(): Uint8Array {
  const g = new GraphBuilder('fails-to-run');
  const x = g.input('input', ['batch', 3, 16, 16]);
  const flat = g.node('Flatten', [g.node('GlobalAveragePool', [x])], { axis: attr.int(1) });
  g.node('Reshape', [flat, g.int64s('shape', [2, 5])], {}, 'logits');
  g.output('logits', ['batch', 5]);
  return g.toBytes();
}

/**
 * Declares a symbolic batch but hard-codes batch 1 in a Reshape (a common export bug): runs with
 * one image, fails with two. Registered with dynamicBatch = false and a warning.
 */
export function hardcodedBatchModel(classes = 4): Uint8Array {
  const g = new GraphBuilder('hardcoded-batch');
  const x = g.input('input', ['batch', 3, 16, 16]);
  const pooled = g.node('Reshape', [g.node('GlobalAveragePool', [x]), g.int64s('shape', [1, 3])]);
  g.node(
    'Gemm',
    [pooled, g.weight('fc.w', [classes, 3], ones(3 * classes)), g.weight('fc.b', [classes], new Float32Array(classes))],
    { transB: attr.int(1) },
    'logits',
  );
  g.output('logits', ['batch', classes]);
  return g.toBytes();
}

/**
 * A few hundred bytes that ask for gigabytes at run time: the image is pooled to [batch, 3, 1],
 * Expanded to [batch, 3, 90,000,000] floats (1.08 GB per image), then ReduceSum'd back to
 * [batch, 3]. Well-formed and valid; only running it is hostile.
 */
export function expandBombModel(): Uint8Array {
  const g = new GraphBuilder('expand-bomb');
  const x = g.input('pixel_values', ['batch', 3, 32, 32]);
  const pooled = g.node('Reshape', [g.node('GlobalAveragePool', [x]), g.int64s('pooled_shape', [-1, 3, 1])]);
  const huge = g.node('Expand', [pooled, g.int64s('huge_shape', [1, 3, 90_000_000])]);
  g.node('ReduceSum', [huge, g.int64s('axes', [2])], { keepdims: attr.int(0) }, 'logits');
  g.output('logits', ['batch', 3]);
  return g.toBytes();
}
