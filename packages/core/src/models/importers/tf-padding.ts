/**
 * TensorFlow's padding rules written out as explicit ONNX pads. TF 'SAME' gives out = ceil(in / s)
 * and, when the total padding is odd, puts the extra row / column at the END (bottom / right);
 * ONNX's auto_pad SAME_UPPER would agree, but explicit pads keep the graph unambiguous for every
 * runtime and let a preceding ZeroPadding2D be folded in.
 */
export type TfPadding = 'same' | 'valid';

/** [begin, end] padding of one spatial axis. */
export function tfPads(padding: TfPadding, size: number, kernel: number, stride: number, dilation = 1): [number, number] {
  if (padding === 'valid') return [0, 0];
  const effective = (kernel - 1) * dilation + 1;
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + effective - size, 0);
  const begin = Math.floor(total / 2);
  return [begin, total - begin];
}

/** Output size of a conv / pool along one axis with explicit pads (floor, as TF and ONNX both do). */
export function outputSize(size: number, kernel: number, stride: number, dilation: number, begin: number, end: number): number {
  const effective = (kernel - 1) * dilation + 1;
  return Math.floor((size + begin + end - effective) / stride) + 1;
}

export function parseTfPadding(value: unknown, where: string): TfPadding {
  const v = String(value).toLowerCase();
  if (v === 'same' || v === 'valid') return v;
  throw new Error(`${where}: padding "${String(value)}" is not supported (only same / valid)`);
}
