/**
 * Where values enter the graph: Const (weights, looked up in the weights manifest and kept as
 * constants for their consumers) and the single Placeholder input; and the Identity-like ops that
 * hand their input on unchanged.
 */
import type { OpConverter } from './conversion.js';
import { fail } from './node.js';

export const PASS_THROUGH_OPS = ['Identity', 'StopGradient', 'Snapshot', 'PreventGradient'];

export const convertConst: OpConverter = (c, node) => {
  const tensor = c.weights.get(node.name);
  if (!tensor) fail(node, 'constant missing from the weights manifest');
  return { kind: 'const', tensor };
};

export const convertPlaceholder: OpConverter = (c, node) => {
  if (c.input) fail(node, 'only single-input graphs are supported');
  const dims = (node.attr?.shape?.shape?.dim ?? []).map((d) => Number(d.size));
  if (dims.length !== 4 || dims.slice(1).some((d) => !(d > 0))) fail(node, `input shape [${dims.join(',')}] is not [batch, H, W, C] with static H, W, C`);
  const [, h, w, channels] = dims as [number, number, number, number];
  c.input = c.graph.imageInput(c.options.inputName ?? 'input', channels, h, w);
  return { kind: 'value', value: c.input };
};

export const convertPassThrough: OpConverter = (c, node, ins) => c.operand(node, ins[0]!);
