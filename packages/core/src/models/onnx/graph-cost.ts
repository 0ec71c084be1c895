/**
 * What a graph costs, read from the file alone: parameters = elements of its float initializers
 * of more than one element (weights; scalar constants and int64 shapes/indices are not
 * parameters), and multiply-accumulates per image from the shapes of its Conv, MatMul and Gemm
 * nodes (the graph's value_info, inputs and initializers). A symbolic batch dimension counts as 1.
 */
import { decodeModel, type GraphObj, type ValueInfoObj } from './decoded.js';

const FLOAT = 1;

export interface GraphCost {
  params: number;
  /** Multiply-accumulates for one image. */
  macs: number;
  /** MACs per op type (Conv, MatMul, Gemm). */
  macsByOp: Record<string, number>;
}

function shapeOf(info: ValueInfoObj): number[] {
  return (info.type?.tensor_type?.shape?.dim ?? []).map((d) => (d.dim_value !== undefined && Number(d.dim_value) > 0 ? Number(d.dim_value) : 1));
}

export function graphCost(bytes: Uint8Array): GraphCost {
  const graph: GraphObj = decodeModel(bytes).graph ?? {};
  const shapes = new Map<string, number[]>();
  for (const info of [...(graph.input ?? []), ...(graph.output ?? []), ...(graph.value_info ?? [])]) if (info.name) shapes.set(info.name, shapeOf(info));
  let params = 0;
  for (const t of graph.initializer ?? []) {
    const dims = (t.dims ?? []).map(Number);
    shapes.set(t.name ?? '', dims);
    const n = dims.reduce((a, b) => a * b, 1);
    if (t.data_type === FLOAT && n > 1) params += n;
  }
  const macsByOp: Record<string, number> = {};
  const need = (name: string | undefined, op: string): number[] => {
    const s = name === undefined ? undefined : shapes.get(name);
    if (!s) throw new Error(`graphCost: no shape for ${op} tensor "${name}"`);
    return s;
  };
  const prod = (s: number[]): number => s.reduce((a, b) => a * b, 1);
  for (const node of graph.node ?? []) {
    const op = node.op_type ?? '';
    let macs = 0;
    if (op === 'Conv') {
      const weight = need(node.input?.[1], op);
      macs = prod(need(node.output?.[0], op)) * prod(weight.slice(1));
    } else if (op === 'MatMul') {
      const a = need(node.input?.[0], op);
      macs = prod(need(node.output?.[0], op)) * a.at(-1)!;
    } else if (op === 'Gemm') {
      const a = need(node.input?.[0], op);
      const transA = node.attribute?.find((x) => x.name === 'transA') as { i?: number } | undefined;
      macs = prod(need(node.output?.[0], op)) * (Number(transA?.i ?? 0) === 1 ? a[0]! : a[1]!);
    } else continue;
    macsByOp[op] = (macsByOp[op] ?? 0) + macs;
  }
  return { params, macs: Object.values(macsByOp).reduce((a, b) => a + b, 0), macsByOp };
}
