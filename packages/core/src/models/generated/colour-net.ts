/**
 * A small but real CNN whose answer is known without running it: it classifies an image by its
 * dominant colour (red / green / blue). Three conv channels are identity paths for R, G and B; the
 * rest carry deterministic pseudo-random weights so the model has real compute, but they do not
 * reach the classifier. Tests and the demo can therefore check every label end to end, which
 * catches channel-order, layout and normalisation bugs that random weights would hide.
 *
 *   input [N,3,H,W] -> Conv3x3(3->C) -> Relu -> AvgPool2 -> Conv3x3(C->C) -> Relu
 *     -> GlobalAveragePool -> Flatten = features [N,C] -> Gemm(C->3) -> Softmax = probabilities
 */
import { GraphBuilder, attr } from '../onnx/graph-builder.js';
import type { ManifestInput } from '../manifest.js';

export const COLOUR_LABELS = ['red', 'green', 'blue'] as const;

export interface ColourNetOptions {
  name: string;
  /** Square input side, pixels. */
  size?: number;
  /** Conv width C (≥ 3); compute grows with C². */
  channels?: number;
  seed?: number;
  version?: number;
}

/** mulberry32: tiny, fast, deterministic PRNG so generated weights are identical on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function convWeights(out: number, inp: number, random: () => number): Float32Array {
  const w = new Float32Array(out * inp * 9);
  for (let o = 0; o < out; o++) {
    for (let i = 0; i < inp; i++) {
      for (let k = 0; k < 9; k++) {
        const at = (o * inp + i) * 9 + k;
        // Identity paths: output channel c (< 3) copies input channel c through the centre tap.
        if (o < 3) w[at] = o === i && k === 4 ? 1 : 0;
        else w[at] = (random() - 0.5) * 0.2;
      }
    }
  }
  return w;
}

export function buildColourNet(options: ColourNetOptions): { manifest: ManifestInput; onnx: Uint8Array } {
  const size = options.size ?? 64;
  const channels = Math.max(3, options.channels ?? 16);
  const random = seededRandom(options.seed ?? 42);
  const g = new GraphBuilder(options.name);
  const pads = attr.ints([1, 1, 1, 1]);
  const kernel = attr.ints([3, 3]);

  const input = g.input('input', ['batch', 3, size, size]);
  const c1 = g.node(
    'Conv',
    [input, g.weight('conv1.weight', [channels, 3, 3, 3], convWeights(channels, 3, random)), g.weight('conv1.bias', [channels], new Float32Array(channels))],
    { kernel_shape: kernel, pads },
  );
  const r1 = g.node('Relu', [c1]);
  const p1 = g.node('AveragePool', [r1], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) });
  const c2 = g.node(
    'Conv',
    [
      p1,
      g.weight('conv2.weight', [channels, channels, 3, 3], convWeights(channels, channels, random)),
      g.weight('conv2.bias', [channels], new Float32Array(channels)),
    ],
    { kernel_shape: kernel, pads },
  );
  const r2 = g.node('Relu', [c2]);
  const gap = g.node('GlobalAveragePool', [r2]);
  const features = g.node('Flatten', [gap], { axis: attr.int(1) }, 'features');

  // Classifier: logit_k = T · feature_k for the three identity channels; T sharpens the softmax.
  const temperature = 20;
  const fc = new Float32Array(3 * channels);
  for (let k = 0; k < 3; k++) fc[k * channels + k] = temperature;
  const logits = g.node('Gemm', [features, g.weight('fc.weight', [3, channels], fc), g.weight('fc.bias', [3], new Float32Array(3))], { transB: attr.int(1) });
  g.node('Softmax', [logits], { axis: attr.int(1) }, 'probabilities');
  g.output('probabilities', ['batch', 3]);
  g.output('features', ['batch', channels]);

  const manifest: ManifestInput = {
    name: options.name,
    version: options.version ?? 1,
    description: `Generated colour classifier (${size}x${size}, ${channels} channels): labels images by their dominant colour.`,
    input: { name: 'input', layout: 'NCHW', width: size, height: size, mean: [0, 0, 0], std: [1, 1, 1], resize: 'fill', dynamicBatch: true },
    output: { name: 'probabilities', kind: 'probabilities' },
    features: { name: 'features', size: channels },
    labels: [...COLOUR_LABELS],
    source: { kind: 'generated', description: 'hourglass colour-net generator', licence: 'MIT', seed: options.seed ?? 42 },
    batching: { size: 16, timeoutMs: 10 },
    topK: 3,
  };
  return { manifest, onnx: g.toBytes({ doc: manifest.description ?? '' }) };
}
