/**
 * One Keras layer as the TF.js layers-model topology describes it, and the readers of its config
 * that every layer converter shares. Errors name the layer, so a rejected model says where.
 */
import { AppError } from '../../../errors.js';

export interface KerasLayer {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  inbound_nodes?: unknown[];
}

export function fail(layer: KerasLayer, message: string): never {
  throw new AppError('MODEL_INVALID', `Keras layer "${layer.name}" (${layer.class_name}): ${message}`);
}

/** A Keras size argument: one number for both spatial axes, or [h, w]. */
export function pair(value: unknown, layer: KerasLayer, what: string): [number, number] {
  if (typeof value === 'number') return [value, value];
  if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number')) return [value[0] as number, value[1] as number];
  return fail(layer, `${what} ${JSON.stringify(value)} is not a pair of numbers`);
}

/** The graph is built NCHW from NHWC weights; a channels_first layer would need other re-layouts. */
export function requireChannelsLast(layer: KerasLayer): void {
  const format = layer.config.data_format;
  if (format !== undefined && format !== null && format !== 'channels_last') fail(layer, `data_format ${String(format)} is not supported`);
}

/** Keras channel axis on an NHWC tensor (or -1 / 1 on [N, F]) → the NCHW axis. */
export function nchwAxis(axis: number, rank: number, layer: KerasLayer): number {
  const a = axis < 0 ? axis + rank : axis;
  if (rank === 2 && a === 1) return 1;
  if (rank === 4) {
    const map: Record<number, number> = { 1: 2, 2: 3, 3: 1 };
    const mapped = map[a];
    if (mapped !== undefined) return mapped;
  }
  return fail(layer, `axis ${axis} on a rank-${rank} tensor is not supported`);
}

/** The single input of a one-input layer; layers like Add take `inputs` whole instead. */
export function onlyInput(layer: KerasLayer, inputs: readonly string[]): string {
  if (inputs.length !== 1) fail(layer, `expects one input, has ${inputs.length}`);
  return inputs[0]!;
}
