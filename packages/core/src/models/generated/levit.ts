/**
 * LeViT (Graham et al. 2021) as timm builds it (timm/models/levit.py, the distilled variants with
 * `head` and `head_dist`), with seeded random weights: the blog's LeViT-128S and LeViT-256 for
 * speed measurements only. Stem of four 3×3 stride-2 conv + BN (Hardswish between); stages of
 * Residual(Attention) + Residual(MLP) blocks on 14×14, 7×7, 4×4 tokens; between stages an
 * attention-subsample block (queries from every second token) and its MLP; attention logits get a
 * learned bias per head and relative offset (a Gather of attention_biases); Linear layers are
 * Linear (no bias) + BatchNorm1d; the classifier averages BN + Linear heads.
 */
import { attr } from '../onnx/graph-builder.js';
import { ArchKit, type T } from './arch-kit.js';

export interface LevitSpec {
  embed: readonly [number, number, number];
  heads: readonly [number, number, number];
  depth: readonly [number, number, number];
  keyDim: number;
}

export const LEVIT_SPECS = {
  'levit-128s': { embed: [128, 256, 384], heads: [4, 6, 8], depth: [2, 3, 4], keyDim: 16 },
  'levit-256': { embed: [256, 384, 512], heads: [4, 6, 8], depth: [4, 4, 4], keyDim: 32 },
} as const satisfies Record<string, LevitSpec>;

/** Offsets |dy|·res + |dx| between query point q (on a grid of stride `stride`) and key point k. */
function biasIndex(res: number, resOut: number, stride: number): number[] {
  const idx: number[] = [];
  for (let qy = 0; qy < resOut; qy++)
    for (let qx = 0; qx < resOut; qx++) {
      for (let ky = 0; ky < res; ky++) for (let kx = 0; kx < res; kx++) idx.push(Math.abs(qy * stride - ky) * res + Math.abs(qx * stride - kx));
    }
  return idx;
}

/** LinearNorm: Linear without bias, then BatchNorm1d (eval: scale and shift). */
function linearNorm(k: ArchKit, stem: string, x: T, out: number): T {
  return k.affine(stem, k.linear(stem, x, out, false), out);
}

function hardswish(k: ArchKit, x: T): T {
  return k.op('HardSwish', [x.name], x.shape);
}

/** Attention logits [B, h, Nq, Nk] + attention_biases[h, res²] gathered by relative offset. */
function biasedSoftmax(k: ArchKit, stem: string, logits: T, heads: number, res: number, resOut: number, stride: number): T {
  const nq = resOut * resOut;
  const nk = res * res;
  const table = k.weight(`${stem}.attention_biases`, [heads, res * res]);
  const index = k.indexTensor(`${stem}.attention_bias_idxs`, [nq, nk], biasIndex(res, resOut, stride));
  const bias = k.op('Gather', [table, index], [heads, nq, nk], { axis: attr.int(1) });
  return k.op('Softmax', [k.op('Add', [logits.name, bias.name], logits.shape).name], logits.shape, { axis: attr.int(-1) });
}

/** q [B,h,Nq,kd] · kᵀ · scale → biased softmax → · v [B,h,Nk,vd] → [B, Nq, h·vd] → Hardswish. */
function attend(k: ArchKit, stem: string, q: T, key: T, v: T, heads: number, keyDim: number, res: number, resOut: number, stride: number): T {
  const b = q.shape[0]!;
  const nq = q.shape[2] as number;
  const nk = key.shape[2] as number;
  const vd = v.shape[3] as number;
  const kT = k.transpose(key, [0, 1, 3, 2]);
  const logits = k.op('MatMul', [q.name, kT.name], [b, heads, nq, nk]);
  const scaled = k.op('Mul', [logits.name, k.scalar('attn.scale', keyDim ** -0.5)], logits.shape);
  const attn = biasedSoftmax(k, stem, scaled, heads, res, resOut, stride);
  const mixed = k.op('MatMul', [attn.name, v.name], [b, heads, nq, vd]);
  return hardswish(k, k.reshape(k.transpose(mixed, [0, 2, 1, 3]), [b, nq, heads * vd]));
}

function headsOf(k: ArchKit, x: T, heads: number, per: number): T {
  const [b, n] = x.shape;
  return k.transpose(k.reshape(x, [b!, n!, heads, per]), [0, 2, 1, 3]);
}

function attentionBlock(k: ArchKit, stem: string, x: T, heads: number, keyDim: number, res: number): T {
  const dim = x.shape.at(-1) as number;
  const vd = 2 * keyDim; // attn_ratio 2
  const qkv = linearNorm(k, `${stem}.attn.qkv`, x, heads * (2 * keyDim + vd));
  const [b, n] = x.shape;
  const perHead = k.reshape(qkv, [b!, n!, heads, 2 * keyDim + vd]);
  const [q, key, v] = k.split(perHead, [keyDim, keyDim, vd], 3).map((t) => k.transpose(t, [0, 2, 1, 3]));
  const mixed = attend(k, `${stem}.attn`, q!, key!, v!, heads, keyDim, res, res, 1);
  const out = linearNorm(k, `${stem}.attn.proj`, mixed, dim);
  return k.op('Add', [x.name, out.name], x.shape);
}

function mlpBlock(k: ArchKit, stem: string, x: T): T {
  const dim = x.shape.at(-1) as number;
  const hidden = hardswish(k, linearNorm(k, `${stem}.mlp.ln1`, x, dim * 2)); // mlp_ratio 2
  const out = linearNorm(k, `${stem}.mlp.ln2`, hidden, dim);
  return k.op('Add', [x.name, out.name], x.shape);
}

/** AttentionDownsample: keys/values from every token, queries from every second one (stride 2). */
function downsample(k: ArchKit, stem: string, x: T, outDim: number, keyDim: number, res: number): T {
  const [b] = x.shape;
  const inDim = x.shape.at(-1) as number;
  const heads = inDim / keyDim;
  const vd = 4 * keyDim; // attn_ratio 4
  const resOut = Math.floor((res - 1) / 2) + 1;
  const kv = linearNorm(k, `${stem}.attn_downsample.kv`, x, heads * (keyDim + vd));
  const [key, v] = k.split(k.reshape(kv, [b!, res * res, heads, keyDim + vd]), [keyDim, vd], 3).map((t) => k.transpose(t, [0, 2, 1, 3]));
  const grid = k.reshape(x, [b!, res, res, inDim]);
  const sub = k.op(
    'Slice',
    [grid.name, k.ints('sub_starts', [0, 0]), k.ints('sub_ends', [res, res]), k.ints('sub_axes', [1, 2]), k.ints('sub_steps', [2, 2])],
    [b!, resOut, resOut, inDim],
  );
  const q = headsOf(k, linearNorm(k, `${stem}.attn_downsample.q`, k.reshape(sub, [b!, resOut * resOut, inDim]), heads * keyDim), heads, keyDim);
  const mixed = attend(k, `${stem}.attn_downsample`, q, key!, v!, heads, keyDim, res, resOut, 2);
  const out = linearNorm(k, `${stem}.attn_downsample.proj`, mixed, outDim);
  return mlpBlock(k, `${stem}.res`, out);
}

function convNorm(k: ArchKit, stem: string, x: T, out: number): T {
  const [b, cin, h] = x.shape as [string | number, number, number];
  const size = Math.floor((h + 2 - 3) / 2) + 1;
  const conv = k.op('Conv', [x.name, k.weight(`${stem}.conv.weight`, [out, cin, 3, 3])], [b, out, size, size], {
    kernel_shape: attr.ints([3, 3]),
    strides: attr.ints([2, 2]),
    pads: attr.ints([1, 1, 1, 1]),
  });
  return k.affine(stem, conv, out, true);
}

/** Builds the graph from `input` [B, 3, 224, 224]; answers the logits [B, classes]. */
export function buildLevit(k: ArchKit, input: T, spec: LevitSpec, classes: number): T {
  const e0 = spec.embed[0];
  let x = input;
  [e0 / 8, e0 / 4, e0 / 2, e0].forEach((c, i) => {
    x = convNorm(k, `stem.conv${i + 1}`, x, c);
    if (i < 3) x = hardswish(k, x);
  });
  const b = x.shape[0]!;
  let res = x.shape[2] as number;
  x = k.transpose(k.reshape(x, [b, e0, res * res]), [0, 2, 1]);
  for (let s = 0; s < 3; s++) {
    if (s > 0) {
      x = downsample(k, `stages.${s}.downsample`, x, spec.embed[s]!, spec.keyDim, res);
      res = Math.floor((res - 1) / 2) + 1;
    }
    for (let d = 0; d < spec.depth[s]!; d++) {
      x = attentionBlock(k, `stages.${s}.blocks.${d}`, x, spec.heads[s]!, spec.keyDim, res);
      x = mlpBlock(k, `stages.${s}.blocks.${d}`, x);
    }
  }
  const dim = spec.embed[2];
  const pooled = k.op('ReduceMean', [x.name, k.ints('pool_axes', [1])], [b, dim], { keepdims: attr.int(0) });
  const head = (stem: string): T => {
    const normed = k.affine(stem, pooled, dim);
    return k.op('Gemm', [normed.name, k.weight(`${stem}.linear.weight`, [classes, dim]), k.weight(`${stem}.linear.bias`, [classes])], [b, classes], {
      transB: attr.int(1),
    });
  };
  // LevitDistilled at inference: the mean of the class and distillation heads.
  const both = k.op('Add', [head('head').name, head('head_dist').name], [b, classes]);
  return k.op('Mul', [both.name, k.scalar('head.mean', 0.5)], [b, classes]);
}
