/**
 * One node of a TF.js graph model (a GraphDef node as JSON) and the readers of its inputs and
 * attributes that every op converter shares. Errors name the node, so a rejected model says where.
 */
import { AppError } from '../../../errors.js';
import { parseTfPadding, type TfPadding } from '../tf-padding.js';

export interface TfAttrValue {
  s?: string;
  i?: string | number;
  f?: number;
  b?: boolean;
  list?: { i?: (string | number)[]; s?: string[]; f?: number[] };
  shape?: { dim?: { size: string | number }[]; unknownRank?: boolean };
}

export interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, TfAttrValue>;
}

export function fail(node: TfNode, message: string): never {
  throw new AppError('MODEL_INVALID', `TF node "${node.name}" (${node.op}): ${message}`);
}

// GraphDef JSON holds strings base64-encoded and int64s as strings.
export const text = (v: TfAttrValue | undefined): string | undefined => (v?.s === undefined ? undefined : Buffer.from(v.s, 'base64').toString('utf8'));
export const ints = (v: TfAttrValue | undefined): number[] => (v?.list?.i ?? []).map(Number);
export const texts = (v: TfAttrValue | undefined): string[] => (v?.list?.s ?? []).map((s) => Buffer.from(s, 'base64').toString('utf8'));

/** Input references: "name", "name:0" (first output), "^name" (control: ignored). */
export function dataInputs(node: TfNode): string[] {
  return (node.input ?? [])
    .filter((ref) => !ref.startsWith('^'))
    .map((ref) => {
      const [name, index] = ref.split(':');
      if (index !== undefined && index !== '0') fail(node, `reads output ${index} of "${name}": multi-output nodes are not supported`);
      return name!;
    });
}

/** The graph is built NCHW from NHWC weights; an NCHW node would need other re-layouts. */
export function requireNhwc(node: TfNode): void {
  const format = text(node.attr?.data_format);
  if (format !== undefined && format !== 'NHWC') fail(node, `data_format ${format} is not supported`);
}

/** [1, h, w, 1] style attribute → [h, w]. */
export function spatialPair(node: TfNode, key: string, fallback: number): [number, number] {
  const v = ints(node.attr?.[key]);
  if (v.length === 0) return [fallback, fallback];
  if (v.length !== 4 || v[0] !== 1 || v[3] !== 1) fail(node, `${key} [${v.join(',')}] is not [1, h, w, 1]`);
  return [v[1]!, v[2]!];
}

export function paddingOf(node: TfNode): TfPadding {
  return parseTfPadding(text(node.attr?.padding) ?? 'VALID', node.name);
}
