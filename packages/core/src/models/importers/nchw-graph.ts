/**
 * The ONNX side shared by the TF.js converters: a GraphBuilder that knows the static shape of every
 * value (batch axis excluded) and emits the NCHW ops TensorFlow's NHWC layers map to. Static
 * shapes are what 'same' padding and channels-last Flatten need; the batch axis stays dynamic.
 */
import { GraphBuilder, attr, type Attribute } from '../onnx/graph-builder.js';
import { AppError } from '../../errors.js';
import { outputSize, tfPads, type TfPadding } from './tf-padding.js';
import type { OnnxWeight } from './kernels.js';

/** A tensor of the graph: its name and its shape without the batch axis ([C, H, W] or [F]). */
export interface Value {
  name: string;
  shape: number[];
}

/** [top, left, bottom, right]. */
export type Pads4 = [number, number, number, number];

export type ActivationKind = 'linear' | 'relu' | 'relu6' | 'sigmoid' | 'tanh' | 'softmax' | 'elu' | 'selu' | 'swish' | 'leaky_relu';

export interface ConvSpec {
  stem: string;
  weight: OnnxWeight;
  bias?: Float32Array;
  strides: [number, number];
  dilations: [number, number];
  padding: TfPadding;
  /** Zero padding applied before the conv's own (a folded ZeroPadding2D). */
  prePads?: Pads4;
  group?: number;
}

export interface PoolSpec {
  op: 'MaxPool' | 'AveragePool';
  kernel: [number, number];
  strides: [number, number];
  padding: TfPadding;
}

export class NchwGraph {
  readonly g: GraphBuilder;
  /** ONNX op → count, for reports and tests. */
  readonly opCounts = new Map<string, number>();
  private readonly scalars = new Map<number, string>();

  constructor(name: string) {
    this.g = new GraphBuilder(name);
  }

  node(op: string, inputs: readonly string[], attrs: Record<string, Attribute> = {}, outputName?: string): string {
    this.opCounts.set(op, (this.opCounts.get(op) ?? 0) + 1);
    return this.g.node(op, inputs, attrs, outputName);
  }

  scalar(value: number): string {
    let name = this.scalars.get(value);
    if (!name) {
      name = this.g.weight('const', [], Float32Array.of(value));
      this.scalars.set(value, name);
    }
    return name;
  }

  imageInput(name: string, channels: number, height: number, width: number): Value {
    return { name: this.g.input(name, ['batch', channels, height, width]), shape: [channels, height, width] };
  }

  private spatial(x: Value, what: string): [number, number, number] {
    if (x.shape.length !== 3) throw new AppError('MODEL_INVALID', `${what} needs an image tensor, got shape [${x.shape.join(',')}]`);
    return x.shape as [number, number, number];
  }

  conv(x: Value, spec: ConvSpec): Value {
    const [, h, w] = this.spatial(x, spec.stem);
    const [out, , kh, kw] = spec.weight.dims as [number, number, number, number];
    const pre = spec.prePads ?? [0, 0, 0, 0];
    const ph = pre[0] + pre[2] + h;
    const pw = pre[1] + pre[3] + w;
    const [t, b] = tfPads(spec.padding, ph, kh, spec.strides[0], spec.dilations[0]);
    const [l, r] = tfPads(spec.padding, pw, kw, spec.strides[1], spec.dilations[1]);
    const pads: Pads4 = [pre[0] + t, pre[1] + l, pre[2] + b, pre[3] + r];
    const inputs = [x.name, this.g.weight(`${spec.stem}.weight`, spec.weight.dims, spec.weight.data)];
    if (spec.bias) inputs.push(this.g.weight(`${spec.stem}.bias`, [out], spec.bias));
    const name = this.node('Conv', inputs, {
      kernel_shape: attr.ints([kh, kw]),
      strides: attr.ints(spec.strides),
      dilations: attr.ints(spec.dilations),
      pads: attr.ints(pads),
      group: attr.int(spec.group ?? 1),
    });
    return {
      name,
      shape: [
        out,
        outputSize(h, kh, spec.strides[0], spec.dilations[0], pads[0], pads[2]),
        outputSize(w, kw, spec.strides[1], spec.dilations[1], pads[1], pads[3]),
      ],
    };
  }

  /** Constant zero padding of the spatial axes. */
  pad(x: Value, pads: Pads4): Value {
    const [c, h, w] = this.spatial(x, 'Pad');
    const [t, l, b, r] = pads;
    const name = this.node('Pad', [x.name, this.g.int64s('pads', [0, 0, t, l, 0, 0, b, r])], { mode: attr.string('constant') });
    return { name, shape: [c, h + t + b, w + l + r] };
  }

  pool(x: Value, spec: PoolSpec): Value {
    const [c, h, w] = this.spatial(x, spec.op);
    const [kh, kw] = spec.kernel;
    const [t, b] = tfPads(spec.padding, h, kh, spec.strides[0]);
    const [l, r] = tfPads(spec.padding, w, kw, spec.strides[1]);
    const attrs: Record<string, Attribute> = {
      kernel_shape: attr.ints(spec.kernel),
      strides: attr.ints(spec.strides),
      pads: attr.ints([t, l, b, r]),
    };
    // TF's average pool divides by the number of real (unpadded) elements: count_include_pad = 0.
    if (spec.op === 'AveragePool') attrs.count_include_pad = attr.int(0);
    const name = this.node(spec.op, [x.name], attrs);
    return { name, shape: [c, outputSize(h, kh, spec.strides[0], 1, t, b), outputSize(w, kw, spec.strides[1], 1, l, r)] };
  }

  /** Global average (or max) pool to a [C] vector. */
  globalPool(x: Value, op: 'GlobalAveragePool' | 'GlobalMaxPool'): Value {
    const [c] = this.spatial(x, op);
    const pooled = this.node(op, [x.name]);
    return { name: this.node('Flatten', [pooled], { axis: attr.int(1) }), shape: [c] };
  }

  /** Keras Flatten of a channels-last tensor: element order H, W, C. A 1×1 map needs no transpose. */
  flattenChannelsLast(x: Value): Value {
    if (x.shape.length === 1) return x;
    const size = x.shape.reduce((a, b) => a * b, 1);
    let source = x.name;
    if (x.shape.length === 3 && (x.shape[1] !== 1 || x.shape[2] !== 1)) {
      source = this.node('Transpose', [x.name], { perm: attr.ints([0, 2, 3, 1]) });
    }
    return { name: this.node('Flatten', [source], { axis: attr.int(1) }), shape: [size] };
  }

  /** Removes spatial axes of size 1 (TF Squeeze of a pooled map): [C,1,1] → [C]. */
  squeezeSpatial(x: Value, axes: readonly number[]): Value {
    for (const a of axes) {
      if (x.shape[a - 1] !== 1) throw new AppError('MODEL_INVALID', `Squeeze of axis ${a} of shape [N,${x.shape.join(',')}]: not of size 1`);
    }
    const name = this.node('Squeeze', [x.name, this.g.int64s('axes', [...axes])]);
    return { name, shape: x.shape.filter((_, i) => !axes.includes(i + 1)) };
  }

  /** x · W + b with W stored [in, out] as Keras and TF MatMul keep it. */
  dense(x: Value, stem: string, kernel: OnnxWeight, bias?: Float32Array): Value {
    if (x.shape.length !== 1) throw new AppError('MODEL_INVALID', `${stem}: dense layers are supported on [N, F] inputs only, got [N,${x.shape.join(',')}]`);
    const [inF, outF] = kernel.dims as [number, number];
    if (inF !== x.shape[0]) throw new AppError('MODEL_INVALID', `${stem}: kernel expects ${inF} inputs, got ${x.shape[0]}`);
    const inputs = [x.name, this.g.weight(`${stem}.weight`, kernel.dims, kernel.data)];
    if (bias) inputs.push(this.g.weight(`${stem}.bias`, [outF], bias));
    return { name: this.node('Gemm', inputs), shape: [outF] };
  }

  activation(x: Value, kind: ActivationKind, alpha?: number): Value {
    const unary = (op: string, attrs: Record<string, Attribute> = {}): Value => ({ name: this.node(op, [x.name], attrs), shape: x.shape });
    switch (kind) {
      case 'linear':
        return x;
      case 'relu':
        return unary('Relu');
      case 'relu6':
        return { name: this.node('Clip', [x.name, this.scalar(0), this.scalar(6)]), shape: x.shape };
      case 'sigmoid':
        return unary('Sigmoid');
      case 'tanh':
        return unary('Tanh');
      case 'elu':
        return unary('Elu', { alpha: attr.float(alpha ?? 1) });
      case 'selu':
        return unary('Selu');
      case 'leaky_relu':
        return unary('LeakyRelu', { alpha: attr.float(alpha ?? 0.2) });
      case 'swish':
        return { name: this.node('Mul', [x.name, this.node('Sigmoid', [x.name])]), shape: x.shape };
      case 'softmax':
        // Softmax over the channel axis, which is axis 1 for both [N, F] and [N, C, H, W].
        return unary('Softmax', { axis: attr.int(1) });
    }
  }

  add(xs: readonly Value[]): Value {
    const [first, ...rest] = xs;
    if (!first || rest.length === 0) throw new AppError('MODEL_INVALID', `Add needs at least two inputs`);
    for (const x of rest) {
      if (x.shape.join() !== first.shape.join()) throw new AppError('MODEL_INVALID', `Add of shapes [${first.shape.join(',')}] and [${x.shape.join(',')}]`);
    }
    const name =
      rest.length === 1
        ? this.node('Add', [first.name, rest[0]!.name])
        : this.node(
            'Sum',
            xs.map((x) => x.name),
          );
    return { name, shape: first.shape };
  }

  /** Concatenation along `axis` of the NCHW (or [N, F]) tensor, batch axis = 0. */
  concat(xs: readonly Value[], axis: number): Value {
    const [first] = xs;
    if (!first) throw new AppError('MODEL_INVALID', 'Concat of nothing');
    const shape = [...first.shape];
    shape[axis - 1] = xs.reduce((n, x) => n + x.shape[axis - 1]!, 0);
    return {
      name: this.node(
        'Concat',
        xs.map((x) => x.name),
        { axis: attr.int(axis) },
      ),
      shape,
    };
  }

  /** Per-channel affine x · scale + shift (a batch norm that could not be folded). */
  channelAffine(x: Value, stem: string, scale: ArrayLike<number>, shift: ArrayLike<number>): Value {
    const c = x.shape[0]!;
    const dims = x.shape.length === 3 ? [c, 1, 1] : [c];
    const mul = this.node('Mul', [x.name, this.g.weight(`${stem}.scale`, dims, Float32Array.from(scale))]);
    return { name: this.node('Add', [mul, this.g.weight(`${stem}.shift`, dims, Float32Array.from(shift))]), shape: x.shape };
  }

  /** Elementwise op with a constant operand, broadcasting a per-channel [C] constant over [C,H,W]. */
  binaryConst(op: 'Add' | 'Sub' | 'Mul' | 'Div', x: Value, stem: string, constant: { shape: number[]; data: Float32Array }, constantFirst = false): Value {
    let name: string;
    if (constant.data.length === 1) name = this.scalar(constant.data[0]!);
    else {
      if (constant.shape.length !== 1 || constant.data.length !== x.shape[0]) {
        throw new AppError('MODEL_INVALID', `${stem}: constant of shape [${constant.shape.join(',')}] against [N,${x.shape.join(',')}]`);
      }
      name = this.g.weight(stem, x.shape.length === 3 ? [constant.data.length, 1, 1] : [constant.data.length], constant.data);
    }
    return { name: this.node(op, constantFirst ? [name, x.name] : [x.name, name]), shape: x.shape };
  }

  binary(op: 'Add' | 'Sub' | 'Mul' | 'Div', a: Value, b: Value): Value {
    if (a.shape.join() !== b.shape.join()) throw new AppError('MODEL_INVALID', `${op} of shapes [${a.shape.join(',')}] and [${b.shape.join(',')}]`);
    return { name: this.node(op, [a.name, b.name]), shape: a.shape };
  }

  /** Exposes `x` as a graph output under `name`. */
  output(name: string, x: Value): void {
    this.node('Identity', [x.name], {}, name);
    this.g.output(name, ['batch', ...x.shape]);
  }
}
