/**
 * BEiT-base/16 at 224² as timm builds it (timm/models/beit.py, beit_base_patch16_224) with seeded
 * random weights: for speed measurements only. Patch embedding (16×16 conv), a class token (no
 * absolute position embedding), 12 blocks of pre-norm attention with q and v biases (k has none)
 * and a relative position bias table per block (a Gather by relative offset), layer scale
 * (gamma_1, gamma_2) on both residual branches, a GELU MLP; mean pooling over the patch tokens,
 * fc_norm and the 1000-class head.
 */
import { attr } from '../onnx/graph-builder.js';
import { ArchKit, type T } from './arch-kit.js';

export const BEIT_BASE = { embed: 768, depth: 12, heads: 12, mlp: 3072, patch: 16 } as const;

/** timm's relative_position_index for a window of grid×grid plus the class token (3 extra entries). */
function relativePositionIndex(grid: number): number[] {
  const numRelative = (2 * grid - 1) * (2 * grid - 1);
  const n = grid * grid + 1;
  const idx = new Array<number>(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === 0 && j === 0) idx[i * n + j] = numRelative + 2;
      else if (i === 0) idx[i * n + j] = numRelative;
      else if (j === 0) idx[i * n + j] = numRelative + 1;
      else {
        const [yi, xi] = [Math.floor((i - 1) / grid), (i - 1) % grid];
        const [yj, xj] = [Math.floor((j - 1) / grid), (j - 1) % grid];
        idx[i * n + j] = (yi - yj + grid - 1) * (2 * grid - 1) + (xi - xj + grid - 1);
      }
    }
  }
  return idx;
}

function block(k: ArchKit, stem: string, x: T, grid: number): T {
  const { embed: d, heads, mlp } = BEIT_BASE;
  const [b, n] = x.shape as [string | number, number];
  const hd = d / heads;
  const h = k.layerNorm(`${stem}.norm1`, x);
  const qkv = k.linear(`${stem}.attn.qkv`, h, 3 * d, false);
  const [q0, key0, v0] = k.split(qkv, [d, d, d], 2);
  // timm: qkv_bias = cat(q_bias, zeros (k), v_bias); only q_bias and v_bias are parameters.
  const q1 = k.op('Add', [q0!.name, k.weight(`${stem}.attn.q_bias`, [d])], q0!.shape);
  const v1 = k.op('Add', [v0!.name, k.weight(`${stem}.attn.v_bias`, [d])], v0!.shape);
  const heads4 = (t: T): T => k.transpose(k.reshape(t, [b, n, heads, hd]), [0, 2, 1, 3]);
  const q = k.op('Mul', [heads4(q1).name, k.scalar('attn.scale', hd ** -0.5)], [b, heads, n, hd]);
  const kT = k.transpose(heads4(key0!), [0, 1, 3, 2]);
  const logits = k.op('MatMul', [q.name, kT.name], [b, heads, n, n]);
  const numRelative = (2 * grid - 1) * (2 * grid - 1) + 3;
  const table = k.weight(`${stem}.attn.relative_position_bias_table`, [numRelative, heads]);
  const index = k.indexTensor(`${stem}.attn.relative_position_index`, [n * n], relativePositionIndex(grid));
  const gathered = k.op('Gather', [table, index], [n * n, heads], { axis: attr.int(0) });
  const bias = k.transpose(k.reshape(gathered, [n, n, heads]), [2, 0, 1]);
  const attn = k.op('Softmax', [k.op('Add', [logits.name, bias.name], logits.shape).name], logits.shape, { axis: attr.int(-1) });
  const mixed = k.op('MatMul', [attn.name, heads4(v1).name], [b, heads, n, hd]);
  const merged = k.reshape(k.transpose(mixed, [0, 2, 1, 3]), [b, n, d]);
  const proj = k.linear(`${stem}.attn.proj`, merged, d, true);
  const x1 = k.op('Add', [x.name, k.op('Mul', [proj.name, k.weight(`${stem}.gamma_1`, [d], 0, 0.1)], proj.shape).name], x.shape);
  const h2 = k.layerNorm(`${stem}.norm2`, x1);
  const fc2 = k.linear(`${stem}.mlp.fc2`, k.gelu(k.linear(`${stem}.mlp.fc1`, h2, mlp, true)), d, true);
  return k.op('Add', [x1.name, k.op('Mul', [fc2.name, k.weight(`${stem}.gamma_2`, [d], 0, 0.1)], fc2.shape).name], x.shape);
}

export function buildBeit(k: ArchKit, input: T, classes: number): T {
  const { embed: d, patch, depth } = BEIT_BASE;
  const b = input.shape[0]!;
  const size = input.shape[2] as number;
  const grid = size / patch;
  const conv = k.op(
    'Conv',
    [input.name, k.weight('patch_embed.proj.weight', [d, 3, patch, patch]), k.weight('patch_embed.proj.bias', [d])],
    [b, d, grid, grid],
    { kernel_shape: attr.ints([patch, patch]), strides: attr.ints([patch, patch]) },
  );
  const patches = k.transpose(k.reshape(conv, [b, d, grid * grid]), [0, 2, 1]);
  // cls_token.expand(B, -1, -1), as torch exports it: Shape → batch → Concat → Expand.
  // (int64 shape tensors: not annotated, value_info here is float.)
  const batchDim = k.g.node('Slice', [k.g.node('Shape', [patches.name]), k.ints('b_start', [0]), k.ints('b_end', [1])]);
  const clsShape = k.g.node('Concat', [batchDim, k.ints('cls_rest', [1, d])], { axis: attr.int(0) });
  const cls = k.op('Expand', [k.weight('cls_token', [1, 1, d]), clsShape], [b, 1, d]);
  let x = k.op('Concat', [cls.name, patches.name], [b, grid * grid + 1, d], { axis: attr.int(1) });
  for (let i = 0; i < depth; i++) x = block(k, `blocks.${i}`, x, grid);
  // use_mean_pooling: the mean of the patch tokens (not the class token), then fc_norm.
  const tokens = k.op('Slice', [x.name, k.ints('tok_start', [1]), k.ints('tok_end', [grid * grid + 1]), k.ints('tok_axes', [1])], [b, grid * grid, d]);
  const pooled = k.layerNorm('fc_norm', k.op('ReduceMean', [tokens.name, k.ints('pool_axes', [1])], [b, d], { keepdims: attr.int(0) }));
  return k.op('Gemm', [pooled.name, k.weight('head.weight', [classes, d]), k.weight('head.bias', [classes])], [b, classes], { transB: attr.int(1) });
}
