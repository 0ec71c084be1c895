/**
 * Fixtures shaped like timm models exported with torch.onnx.export, for the bring-your-own-model
 * loader: input `input` [batch, 3, 224, 224] (batch a symbolic dim named 'batch', or fixed 1),
 * output `logits` [batch, N], opset 18, weights inline or as external data next to the file
 * (`model.onnx.data`, data_location = EXTERNAL with location/offset/length entries). Written into a
 * folder of exactly the shape infra/export_timm.py produces:
 *
 *   <dir>/model.onnx          the graph
 *   <dir>/model.onnx.data     external weights (only with weights: 'external')
 *   <dir>/model.json          optional metadata: name, input (size, mean, std, resize), output, labels, source
 *
 * Two architectures with the op sets real exports use:
 *   convnet  Conv s2 → Relu → MaxPool → Conv → Relu → residual Add → GlobalAveragePool → Flatten → Gemm
 *   vit      patch-embed Conv (16×16, stride 16) → Reshape → Transpose → + position embedding →
 *            LayerNormalization → q/k/v MatMul → Softmax attention → MatMul → residual Add →
 *            LayerNormalization → MLP (MatMul, erf GELU) → residual Add → ReduceMean over tokens →
 *            LayerNormalization → Gemm
 *
 * Like the colour net, the answer is known without running the model: with ImageNet mean/std,
 * classes 0, 1, 2 win for red, green and blue images (identity paths carry each colour channel
 * through the network; everything else has pseudo-random weights that never reach those logits
 * with enough weight to win). End-to-end tests can therefore check labels, which catches layout,
 * channel order and normalisation mistakes in the loader.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GraphBuilder, attr } from '../onnx/graph-builder.js';
import { externalizeWeights } from '../onnx/external-data.js';
import { seededRandom } from './colour-net.js';

export type TimmLikeArch = 'convnet' | 'vit';

export interface TimmLikeOptions {
  arch: TimmLikeArch;
  /** Output classes N (≥ 3). Default 10. */
  classes?: number;
  /** Square input side. Default 224 (must be a multiple of 16 for the ViT). */
  size?: number;
  /** 'dynamic': batch axis is the symbolic dim 'batch' (timm's dynamic_axes); 'static': fixed 1. */
  batch?: 'dynamic' | 'static';
  /** 'external': weights ≥ 1 KiB go to model.onnx.data next to the model. */
  weights?: 'inline' | 'external';
  /** NHWC puts a Transpose in front, as a TF/Keras-style export would. Default NCHW. */
  layout?: 'NCHW' | 'NHWC';
  /** Conv channels / embedding width. Default 16 (convnet) or 32 (vit). */
  width?: number;
  /** End the graph with Softmax (output `probabilities`) instead of raw logits. */
  softmax?: boolean;
  seed?: number;
  opset?: number;
}

/** What infra/export_timm.py writes as <dir>/model.json: a partial model.json (no version). */
export interface TimmLikeMetadata {
  name: string;
  description: string;
  input: {
    name: string;
    layout: 'NCHW' | 'NHWC';
    width: number;
    height: number;
    mean: [number, number, number];
    std: [number, number, number];
    resize: 'cover';
  };
  output: { name: string; kind: 'logits' | 'probabilities' };
  labels: string[];
  source: { kind: 'imported'; description: string; licence: string; [key: string]: unknown };
}

export interface TimmLikeExport {
  onnx: Uint8Array;
  /** External data files (relative path + bytes); empty for inline weights. */
  files: Array<{ path: string; data: Uint8Array }>;
  /** Sum of initializer elements (weights and shape constants): what the loader must report. */
  params: number;
  inputName: string;
  outputName: string;
  classes: number;
  labels: string[];
  metadata: TimmLikeMetadata;
}

export const IMAGENET_MEAN: [number, number, number] = [0.485, 0.456, 0.406];
export const IMAGENET_STD: [number, number, number] = [0.229, 0.224, 0.225];

/** Labels of the timm-like fixtures: the three colours, then class_3 .. class_{N-1}. */
export function timmLikeLabels(classes: number): string[] {
  return Array.from({ length: classes }, (_, i) => ['red', 'green', 'blue'][i] ?? `class_${i}`);
}

class Weights {
  params = 0;
  constructor(
    readonly g: GraphBuilder,
    readonly random: () => number,
  ) {}

  tensor(stem: string, dims: number[], fill: (index: number) => number): string {
    const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = fill(i);
    this.params += data.length;
    return this.g.weight(stem, dims, data);
  }

  noise(scale: number): () => number {
    return () => (this.random() - 0.5) * 2 * scale;
  }

  ints(stem: string, values: number[]): string {
    this.params += values.length;
    return this.g.int64s(stem, values);
  }
}

/** Gemm weights [N, D] (transB): logit_k = T · feature_k for k < 3; other classes weak and biased down. */
function classifier(w: Weights, features: string, dim: number, classes: number, outputName?: string): string {
  const temperature = 4;
  const small = w.noise(0.01);
  const weight = w.tensor('head.weight', [classes, dim], (i) => {
    const k = Math.floor(i / dim);
    const j = i % dim;
    return k < 3 ? (j === k ? temperature : 0) : small();
  });
  const bias = w.tensor('head.bias', [classes], (k) => (k < 3 ? 0 : -3));
  return w.g.node('Gemm', [features, weight, bias], { transB: attr.int(1), alpha: attr.float(1), beta: attr.float(1) }, outputName);
}

/** Answers the pooled features and their width. */
function convnet(w: Weights, x: string, width: number): { features: string; dim: number } {
  const g = w.g;
  const c = Math.max(3, width);
  const noise = w.noise(0.1);
  // Output channel o < 3 copies input channel o through the centre tap; the rest is noise.
  const identityConv =
    (inp: number, k: number) =>
    (i: number): number => {
      const taps = k * k;
      const o = Math.floor(i / (inp * taps));
      const ch = Math.floor(i / taps) % inp;
      const tap = i % taps;
      if (o < 3) return o === ch && tap === Math.floor(taps / 2) ? 1 : 0;
      return noise();
    };
  const w1 = w.tensor('conv_stem.weight', [c, 3, 3, 3], identityConv(3, 3));
  const b1 = w.tensor('conv_stem.bias', [c], () => 0);
  const stem = g.node('Relu', [
    g.node('Conv', [x, w1, b1], {
      kernel_shape: attr.ints([3, 3]),
      strides: attr.ints([2, 2]),
      pads: attr.ints([1, 1, 1, 1]),
      dilations: attr.ints([1, 1]),
      group: attr.int(1),
    }),
  ]);
  const pooled = g.node('MaxPool', [stem], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]) });
  const w2 = w.tensor('blocks.0.conv.weight', [c, c, 3, 3], identityConv(c, 3));
  const b2 = w.tensor('blocks.0.conv.bias', [c], () => 0);
  const block = g.node('Relu', [g.node('Conv', [pooled, w2, b2], { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) })]);
  const residual = g.node('Add', [block, pooled]);
  const gap = g.node('GlobalAveragePool', [residual]);
  return { features: g.node('Flatten', [gap], { axis: attr.int(1) }), dim: c };
}

function vit(w: Weights, x: string, width: number, size: number): { features: string; dim: number } {
  const g = w.g;
  const d = Math.max(4, width);
  const patch = 16;
  const tokens = (size / patch) ** 2;
  const noise = w.noise(0.05);
  const eps = attr.float(1e-6);
  // Patch embedding: channel o < 3 = mean of colour channel o over the patch.
  const pw = w.tensor('patch_embed.proj.weight', [d, 3, patch, patch], (i) => {
    const o = Math.floor(i / (3 * patch * patch));
    const ch = Math.floor(i / (patch * patch)) % 3;
    return o < 3 ? (o === ch ? 1 / (patch * patch) : 0) : noise();
  });
  const pb = w.tensor('patch_embed.proj.bias', [d], () => 0);
  const embedded = g.node('Conv', [x, pw, pb], { kernel_shape: attr.ints([patch, patch]), strides: attr.ints([patch, patch]) });
  const flat = g.node('Reshape', [embedded, w.ints('flatten_shape', [0, d, -1])]);
  const seq = g.node('Transpose', [flat], { perm: attr.ints([0, 2, 1]) });
  // Learned position embedding; zero on the colour dims.
  const pos = w.tensor('pos_embed', [1, tokens, d], (i) => (i % d < 3 ? 0 : noise()));
  const x0 = g.node('Add', [seq, pos]);

  // LayerNorm scale 1 / shift 0 on the colour dims keeps their order (one positive scale per token).
  const ln = (stem: string, input: string): string =>
    g.node(
      'LayerNormalization',
      [input, w.tensor(`${stem}.weight`, [d], (i) => (i < 3 ? 1 : 1 + noise())), w.tensor(`${stem}.bias`, [d], (i) => (i < 3 ? 0 : noise()))],
      { axis: attr.int(-1), epsilon: eps },
    );
  // Projections that never write the colour dims (their output columns 0..2 are zero).
  const proj = (stem: string, rows: number, cols: number, keepColour: boolean): string =>
    w.tensor(stem, [rows, cols], (i) => (keepColour && i % cols < 3 ? 0 : noise()));

  const h = ln('blocks.0.norm1', x0);
  const q = g.node('MatMul', [h, proj('blocks.0.attn.q', d, d, false)]);
  const k = g.node('MatMul', [h, proj('blocks.0.attn.k', d, d, false)]);
  const v = g.node('MatMul', [h, proj('blocks.0.attn.v', d, d, false)]);
  const scores = g.node('Mul', [
    g.node('MatMul', [q, g.node('Transpose', [k], { perm: attr.ints([0, 2, 1]) })]),
    w.tensor('blocks.0.attn.scale', [1], () => 1 / Math.sqrt(d)),
  ]);
  const attn = g.node('Softmax', [scores], { axis: attr.int(-1) });
  const mixed = g.node('MatMul', [g.node('MatMul', [attn, v]), proj('blocks.0.attn.proj', d, d, true)]);
  const x1 = g.node('Add', [x0, mixed]);

  const h2 = ln('blocks.0.norm2', x1);
  const fc1 = g.node('Add', [
    g.node('MatMul', [h2, proj('blocks.0.mlp.fc1.weight', d, 2 * d, false)]),
    w.tensor('blocks.0.mlp.fc1.bias', [2 * d], () => noise()),
  ]);
  // GELU as torch exports it below opset 20: x · 0.5 · (1 + erf(x / √2)).
  const erf = g.node('Erf', [g.node('Div', [fc1, w.tensor('gelu.sqrt2', [1], () => Math.SQRT2)])]);
  const gelu = g.node('Mul', [g.node('Mul', [fc1, w.tensor('gelu.half', [1], () => 0.5)]), g.node('Add', [erf, w.tensor('gelu.one', [1], () => 1)])]);
  const fc2 = g.node('MatMul', [gelu, proj('blocks.0.mlp.fc2.weight', 2 * d, d, true)]);
  const x2 = g.node('Add', [x1, fc2]);

  // Opset 18 ReduceMean takes its axes as an input.
  const pooled = g.node('ReduceMean', [x2, w.ints('pool_axes', [1])], { keepdims: attr.int(0) });
  return { features: ln('norm', pooled), dim: d };
}

/** Builds a timm-shaped export in memory. */
export function buildTimmLike(options: TimmLikeOptions): TimmLikeExport {
  const classes = Math.max(3, options.classes ?? 10);
  const size = options.size ?? 224;
  if (options.arch === 'vit' && size % 16 !== 0) throw new Error(`vit fixture: size ${size} is not a multiple of 16`);
  const layout = options.layout ?? 'NCHW';
  const batch: string | number = options.batch === 'static' ? 1 : 'batch';
  const g = new GraphBuilder(`timm_like_${options.arch}`);
  const w = new Weights(g, seededRandom(options.seed ?? 7));
  const inputName = 'input';
  const input = g.input(inputName, layout === 'NCHW' ? [batch, 3, size, size] : [batch, size, size, 3]);
  const nchw = layout === 'NCHW' ? input : g.node('Transpose', [input], { perm: attr.ints([0, 3, 1, 2]) });
  const { features, dim } = options.arch === 'convnet' ? convnet(w, nchw, options.width ?? 16) : vit(w, nchw, options.width ?? 32, size);
  // As torch.onnx.export names them (output_names=['logits']): the head's own output is the graph output.
  const outputName = options.softmax ? 'probabilities' : 'logits';
  const logits = classifier(w, features, dim, classes, options.softmax ? undefined : outputName);
  if (options.softmax) g.node('Softmax', [logits], { axis: attr.int(-1) }, outputName);
  g.output(outputName, [batch, classes]);

  let onnx = g.toBytes({ opset: options.opset ?? 18, producer: 'hourglass timm-like fixture' });
  let files: TimmLikeExport['files'] = [];
  if (options.weights === 'external') ({ onnx, files } = externalizeWeights(onnx, { location: 'model.onnx.data' }));

  const labels = timmLikeLabels(classes);
  const name = `timm-like-${options.arch}`;
  const metadata: TimmLikeMetadata = {
    name,
    description: `timm-shaped ${options.arch} fixture (${size}x${size}, ${classes} classes)`,
    input: { name: inputName, layout, width: size, height: size, mean: IMAGENET_MEAN, std: IMAGENET_STD, resize: 'cover' },
    output: { name: outputName, kind: options.softmax ? 'probabilities' : 'logits' },
    labels,
    source: {
      kind: 'imported',
      description: 'hourglass timm-like fixture generator',
      licence: 'MIT',
      timm: { model: name, input_size: [3, size, size], crop_pct: 1, interpolation: 'bilinear' },
    },
  };
  return { onnx, files, params: w.params, inputName, outputName, classes, labels, metadata };
}

/**
 * Writes a timm-like export folder (model.onnx, model.onnx.data when external, model.json unless
 * `metadata: false`): the same layout infra/export_timm.py writes. Answers the folder's files.
 */
export async function writeTimmLikeExport(
  dir: string,
  options: TimmLikeOptions & { metadata?: boolean },
): Promise<{ dir: string; onnxPath: string; files: string[]; model: TimmLikeExport }> {
  const model = buildTimmLike(options);
  await mkdir(dir, { recursive: true });
  const onnxPath = path.join(dir, 'model.onnx');
  await writeFile(onnxPath, model.onnx);
  const written = ['model.onnx'];
  for (const file of model.files) {
    await mkdir(path.dirname(path.join(dir, file.path)), { recursive: true });
    await writeFile(path.join(dir, file.path), file.data);
    written.push(file.path);
  }
  if (options.metadata !== false) {
    await writeFile(path.join(dir, 'model.json'), `${JSON.stringify(model.metadata, null, 2)}\n`);
    written.push('model.json');
  }
  return { dir, onnxPath, files: written, model };
}
