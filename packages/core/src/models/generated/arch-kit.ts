/**
 * The parts the architecture-faithful generators (LeViT, BEiT) build graphs from: every op's
 * output shape is tracked and written to the graph (value_info), so costs can be counted from the
 * file alone (graph-cost.ts); weights are seeded random. Layers follow timm's modules one to one,
 * with eval-mode BatchNorm as its affine form (a scale and a shift per channel: timm's two BN
 * parameters; the running statistics are buffers, folded in).
 */
import { GraphBuilder, attr, type Dim } from '../onnx/graph-builder.js';
import { seededRandom } from './colour-net.js';

export interface T {
  name: string;
  shape: Dim[];
}

export class ArchKit {
  readonly g: GraphBuilder;
  private readonly random: () => number;
  /** Float parameters written so far (what timm counts as parameters). */
  params = 0;

  constructor(name: string, seed: number) {
    this.g = new GraphBuilder(name);
    this.random = seededRandom(seed);
  }

  /** A learned tensor: uniform with standard deviation `std` (or a constant fill). */
  weight(stem: string, dims: number[], std = 0.02, fill?: number): string {
    const n = dims.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (fill !== undefined) data.fill(fill);
    else {
      // Seeded noise, tiled from one block (86 M values one by one is slow, and speed is all these weights are for).
      const span = std * Math.sqrt(12);
      const block = Math.min(n, 4_093);
      for (let i = 0; i < block; i++) data[i] = (this.random() - 0.5) * span;
      for (let at = block; at < n; at += block) data.copyWithin(at, 0, Math.min(block, n - at));
    }
    this.params += n;
    return this.g.weight(stem, dims, data);
  }

  /** A constant that is not a parameter (scalars of GELU, attention scale). */
  scalar(stem: string, value: number): string {
    return this.g.weight(stem, [1], new Float32Array([value]));
  }

  ints(stem: string, values: number[]): string {
    return this.g.int64s(stem, values);
  }

  /** An int64 tensor of any shape (gather indices), not a parameter. */
  indexTensor(stem: string, dims: number[], values: number[]): string {
    const flat = this.g.int64s(`${stem}_flat`, values);
    return this.g.node('Reshape', [flat, this.ints(`${stem}_shape`, dims)]);
  }

  op(type: string, inputs: string[], shape: Dim[], attrs: Parameters<GraphBuilder['node']>[2] = {}): T {
    const name = this.g.node(type, inputs, attrs);
    this.g.annotate(name, shape);
    return { name, shape };
  }

  /** x [..., in] · W [in, out] (+ bias): a Linear. */
  linear(stem: string, x: T, out: number, bias: boolean): T {
    const inDim = x.shape.at(-1) as number;
    const y = this.op('MatMul', [x.name, this.weight(`${stem}.weight`, [inDim, out])], [...x.shape.slice(0, -1), out]);
    return bias ? this.op('Add', [y.name, this.weight(`${stem}.bias`, [out], 0.02)], y.shape) : y;
  }

  /** Per-channel scale and shift along the last axis (eval BatchNorm1d), or axis 1 for NCHW. */
  affine(stem: string, x: T, channels: number, nchw = false): T {
    const dims = nchw ? [channels, 1, 1] : [channels];
    const scaled = this.op('Mul', [x.name, this.weight(`${stem}.bn.weight`, dims, 0, 1)], x.shape);
    return this.op('Add', [scaled.name, this.weight(`${stem}.bn.bias`, dims, 0, 0)], x.shape);
  }

  layerNorm(stem: string, x: T): T {
    const d = x.shape.at(-1) as number;
    return this.op('LayerNormalization', [x.name, this.weight(`${stem}.weight`, [d], 0, 1), this.weight(`${stem}.bias`, [d], 0, 0)], x.shape, {
      axis: attr.int(-1),
      epsilon: attr.float(1e-6),
    });
  }

  reshape(x: T, shape: Dim[]): T {
    return this.op(
      'Reshape',
      [
        x.name,
        this.ints(
          'shape',
          shape.map((d) => (typeof d === 'number' ? d : 0)),
        ),
      ],
      shape,
    );
  }

  transpose(x: T, perm: number[]): T {
    return this.op(
      'Transpose',
      [x.name],
      perm.map((p) => x.shape[p]!),
      { perm: attr.ints(perm) },
    );
  }

  /** GELU as torch exports it below opset 20: x · 0.5 · (1 + erf(x / √2)). */
  gelu(x: T): T {
    const erf = this.op('Erf', [this.op('Div', [x.name, this.scalar('gelu.sqrt2', Math.SQRT2)], x.shape).name], x.shape);
    const half = this.op('Mul', [x.name, this.scalar('gelu.half', 0.5)], x.shape);
    return this.op('Mul', [half.name, this.op('Add', [erf.name, this.scalar('gelu.one', 1)], x.shape).name], x.shape);
  }

  /** Splits the last axis into parts of the given sizes. */
  split(x: T, sizes: number[], axis: number): T[] {
    const names = sizes.map(() => this.g.fresh('split'));
    this.g.nodeMulti('Split', [x.name, this.ints('split_sizes', sizes)], names, { axis: attr.int(axis) });
    return names.map((name, i) => {
      const shape = x.shape.map((d, j) => (j === (axis < 0 ? x.shape.length + axis : axis) ? sizes[i]! : d));
      this.g.annotate(name, shape);
      return { name, shape };
    });
  }
}
