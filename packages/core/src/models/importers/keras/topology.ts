/**
 * The shape of a Keras model as a graph: which layers feed which, the model's inputs and outputs,
 * and an order in which every layer comes after its inputs. Sequential models are rewritten as
 * chained functional ones, so the converter has one code path.
 */
import { AppError } from '../../../errors.js';
import { fail, type KerasLayer } from './layer.js';

export interface Topology {
  layers: KerasLayer[];
  inputs: string[];
  outputs: string[];
}

/** The names of the layers feeding `layer`'s (single) call. */
export function inboundNames(layer: KerasLayer): string[] {
  const nodes = layer.inbound_nodes ?? [];
  if (nodes.length === 0) return [];
  if (nodes.length > 1) fail(layer, 'layers called more than once (shared layers) are not supported');
  const node = nodes[0];
  // Keras 2: [[name, nodeIndex, tensorIndex, kwargs], ...]; Keras 3 / TF 2.13+: { args: [...] } is not produced by the TF.js converter.
  if (!Array.isArray(node)) fail(layer, 'unrecognised inbound_nodes format');
  return node.map((ref) => {
    if (!Array.isArray(ref) || typeof ref[0] !== 'string') fail(layer, 'unrecognised inbound node reference');
    if (ref[2] !== undefined && ref[2] !== 0) fail(layer, 'multi-output layers are not supported');
    return ref[0] as string;
  });
}

export function readTopology(modelTopology: unknown): Topology {
  const topo = modelTopology as { model_config?: { class_name?: string; config?: unknown }; class_name?: string; config?: unknown };
  const modelConfig = topo.model_config ?? topo;
  const config = modelConfig.config as { layers?: KerasLayer[]; input_layers?: unknown[]; output_layers?: unknown[] } | KerasLayer[] | undefined;
  const className = modelConfig.class_name;
  if (className === 'Sequential') {
    const layers = (Array.isArray(config) ? config : config?.layers) ?? [];
    // A sequential model chains its layers; make that explicit so one code path serves both.
    const first = layers[0];
    if (!first) throw new AppError('MODEL_INVALID', 'empty Sequential model');
    const chained: KerasLayer[] = [];
    if (first.class_name !== 'InputLayer') {
      chained.push({ name: '__input__', class_name: 'InputLayer', config: { batch_input_shape: first.config.batch_input_shape }, inbound_nodes: [] });
    }
    for (const layer of layers) {
      const previous = chained[chained.length - 1];
      chained.push({ ...layer, inbound_nodes: previous ? [[[previous.name, 0, 0, {}]]] : [] });
    }
    return { layers: chained, inputs: [chained[0]!.name], outputs: [chained[chained.length - 1]!.name] };
  }
  if (className !== 'Model' && className !== 'Functional') throw new AppError('MODEL_INVALID', `unsupported Keras model class "${String(className)}"`);
  if (Array.isArray(config) || !config?.layers) throw new AppError('MODEL_INVALID', 'Keras model config without layers');
  const refs = (list: unknown[] | undefined): string[] => (list ?? []).map((r) => (Array.isArray(r) ? String(r[0]) : String(r)));
  return { layers: config.layers, inputs: refs(config.input_layers), outputs: refs(config.output_layers) };
}

/** Kahn's algorithm, keeping the listed order wherever it is already valid. */
export function topologicalOrder(layers: readonly KerasLayer[]): KerasLayer[] {
  const byName = new Map(layers.map((l) => [l.name, l]));
  const done = new Set<string>();
  const order: KerasLayer[] = [];
  let pending = [...layers];
  while (pending.length > 0) {
    const next: KerasLayer[] = [];
    for (const layer of pending) {
      const deps = inboundNames(layer);
      for (const d of deps) if (!byName.has(d)) fail(layer, `input "${d}" is not a layer of the model`);
      if (deps.every((d) => done.has(d))) {
        order.push(layer);
        done.add(layer.name);
      } else next.push(layer);
    }
    if (next.length === pending.length) throw new AppError('MODEL_INVALID', `Keras model has a cycle around "${next[0]!.name}"`);
    pending = next;
  }
  return order;
}

/** Layer name → the layers reading its output, in `order`; what the folds look ahead with. */
export function consumersOf(order: readonly KerasLayer[]): Map<string, KerasLayer[]> {
  const consumers = new Map<string, KerasLayer[]>();
  for (const layer of order) for (const d of inboundNames(layer)) consumers.set(d, [...(consumers.get(d) ?? []), layer]);
  return consumers;
}
