/**
 * Which nodes of a TF graph reach the ONNX file: those the output depends on, walked back from the
 * signature's output (or the one node nothing consumes) and listed inputs-first.
 */
import { AppError } from '../../../errors.js';
import { dataInputs, fail, type TfNode } from './node.js';

export interface TfGraphSignature {
  inputs?: Record<string, { name: string }>;
  outputs?: Record<string, { name: string }>;
}

/** The output: the signature's, else the one node nothing consumes. */
export function findOutputNode(nodes: readonly TfNode[], byName: ReadonlyMap<string, TfNode>, signature: TfGraphSignature | undefined): TfNode {
  let outputName = Object.values(signature?.outputs ?? {})[0]?.name.split(':')[0];
  if (!outputName) {
    const consumed = new Set(nodes.flatMap((n) => dataInputs(n)));
    const sinks = nodes.filter((n) => n.op !== 'Const' && !consumed.has(n.name));
    if (sinks.length !== 1) throw new AppError('MODEL_INVALID', `TF graph has ${sinks.length} sink nodes; expected exactly one output`);
    outputName = sinks[0]!.name;
  }
  const outputNode = byName.get(outputName);
  if (!outputNode) throw new AppError('MODEL_INVALID', `TF graph output "${outputName}" is not a node`);
  return outputNode;
}

/** Post-order walk from the output (iterative: graphs can be deep); unused nodes are left out. */
export function postOrderFrom(outputNode: TfNode, byName: ReadonlyMap<string, TfNode>): TfNode[] {
  const order: TfNode[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: { node: TfNode; expanded: boolean }[] = [{ node: outputNode, expanded: false }];
  while (stack.length > 0) {
    const top = stack.pop()!;
    if (state.get(top.node.name) === 'done') continue;
    if (top.expanded) {
      state.set(top.node.name, 'done');
      order.push(top.node);
      continue;
    }
    if (state.get(top.node.name) === 'open') throw new AppError('MODEL_INVALID', `TF graph has a cycle through "${top.node.name}"`);
    state.set(top.node.name, 'open');
    stack.push({ node: top.node, expanded: true });
    for (const dep of dataInputs(top.node).reverse()) {
      const n = byName.get(dep);
      if (!n) fail(top.node, `input "${dep}" is not a node`);
      if (state.get(dep) !== 'done') stack.push({ node: n, expanded: false });
    }
  }
  return order;
}
