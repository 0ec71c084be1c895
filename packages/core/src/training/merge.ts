/**
 * Appends a trained head to a backbone's ONNX graph, giving ONE model file: the backbone is
 * decoded with the project's ModelProto, everything that only fed its old classifier is pruned,
 * and Flatten → Gemm (→ Relu → Gemm) → Softmax is added on its `features` output. The result has
 * two outputs: `probabilities` [batch, classes] and the backbone's `features`, kept so the new
 * model can itself serve as a backbone and so parity with the TS head can be checked.
 */
import { AppError } from '../errors.js';
import { AttributeType, DataType, ModelProto } from '../models/onnx/schema.js';
import type { Head } from './head.js';

export interface AppendHeadOptions {
  /** Bytes of the backbone's model.onnx. */
  backbone: Uint8Array;
  /** Name of the backbone's pooled-features output (manifest.features.name). */
  featuresOutput: string;
  head: Head;
  /** Name of the new output; an old tensor of that name (the backbone's head) is pruned. */
  outputName?: string;
  graphName?: string;
  /** Added to metadata_props (existing keys are replaced). */
  metadata?: Record<string, string>;
}

/* The decoded protobufjs messages: plain objects with the proto's field names. */
interface NodeMsg {
  input: string[];
  output: string[];
  name: string;
  op_type: string;
  domain: string;
  attribute: unknown[];
}
interface TensorMsg {
  name: string;
}
interface ValueInfoMsg {
  name: string;
  type?: { tensor_type?: { shape?: { dim?: Array<{ dim_value?: unknown; dim_param?: string }> } } };
}
interface GraphMsg {
  name: string;
  node: NodeMsg[];
  initializer: TensorMsg[];
  input: ValueInfoMsg[];
  output: ValueInfoMsg[];
  value_info: ValueInfoMsg[];
}
interface ModelMsg {
  graph?: GraphMsg;
  metadata_props: Array<{ key: string; value: string }>;
  opset_import: Array<{ domain: string; version: unknown }>;
}

const root = ModelProto.root;
const NodeProto = root.lookupType('onnx.NodeProto');
const TensorProto = root.lookupType('onnx.TensorProto');
const ValueInfoProto = root.lookupType('onnx.ValueInfoProto');
const StringStringEntryProto = root.lookupType('onnx.StringStringEntryProto');

/** Keeps only the nodes (and initializers, value infos) that the wanted outputs depend on. */
function prune(graph: GraphMsg, wanted: readonly string[]): void {
  const producer = new Map<string, number>();
  graph.node.forEach((node, i) => node.output.forEach((o) => producer.set(o, i)));
  const needed = new Set<string>();
  const keep = new Set<number>();
  const stack = [...wanted];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (needed.has(name)) continue;
    needed.add(name);
    const at = producer.get(name);
    if (at === undefined || keep.has(at)) continue;
    keep.add(at);
    for (const input of graph.node[at]!.input) if (input) stack.push(input);
  }
  graph.node = graph.node.filter((_, i) => keep.has(i));
  // Old exports (IR < 4) also list initializers as graph inputs: drop those of pruned weights.
  const dropped = new Set(graph.initializer.filter((t) => !needed.has(t.name)).map((t) => t.name));
  graph.input = graph.input.filter((v) => !dropped.has(v.name));
  graph.initializer = graph.initializer.filter((t) => needed.has(t.name));
  graph.value_info = graph.value_info.filter((v) => needed.has(v.name));
}

function allNames(graph: GraphMsg): Set<string> {
  const names = new Set<string>();
  for (const n of graph.node) for (const t of [...n.input, ...n.output]) names.add(t);
  for (const t of graph.initializer) names.add(t.name);
  for (const v of graph.input) names.add(v.name);
  for (const v of graph.output) names.add(v.name);
  return names;
}

function batchDim(info: ValueInfoMsg | undefined): { dim_param: string } | { dim_value: number } {
  const first = info?.type?.tensor_type?.shape?.dim?.[0];
  if (first?.dim_param) return { dim_param: first.dim_param };
  if (first?.dim_value !== undefined && first.dim_value !== null && Number(first.dim_value) > 0) return { dim_value: Number(first.dim_value) };
  return { dim_param: 'batch' };
}

export function appendHead(options: AppendHeadOptions): Uint8Array {
  const outputName = options.outputName ?? 'probabilities';
  const model = ModelProto.decode(options.backbone) as unknown as ModelMsg;
  const graph = model.graph;
  if (!graph) throw new AppError('MODEL_INVALID', 'backbone ONNX has no graph');
  const featuresInfo = graph.output.find((o) => o.name === options.featuresOutput);
  if (!featuresInfo) {
    throw new AppError('MODEL_INVALID', `backbone has no output "${options.featuresOutput}" (outputs: ${graph.output.map((o) => o.name).join(', ')})`);
  }
  if (options.featuresOutput === outputName) throw new AppError('MODEL_INVALID', `the features output may not be called "${outputName}"`);
  const first = options.head.layers[0];
  const last = options.head.layers.at(-1);
  if (!first || !last) throw new AppError('MODEL_INVALID', 'head has no layers');

  // Drop the backbone's own classifier: everything the features output does not need.
  prune(graph, [options.featuresOutput]);
  graph.output = [featuresInfo];
  const taken = allNames(graph);
  if (taken.has(outputName)) throw new AppError('MODEL_INVALID', `backbone still uses the tensor name "${outputName}" after pruning`);
  const fresh = (stem: string): string => {
    let name = `head/${stem}`;
    for (let i = 1; taken.has(name); i++) name = `head/${stem}_${i}`;
    taken.add(name);
    return name;
  };

  const nodes: NodeMsg[] = [];
  const addNode = (op: string, inputs: string[], output: string, attrs: object[] = []): string => {
    nodes.push(NodeProto.fromObject({ op_type: op, input: inputs, output: [output], name: fresh(`${op}_node`), attribute: attrs }) as unknown as NodeMsg);
    return output;
  };
  const addWeight = (stem: string, dims: number[], values: Float64Array): string => {
    const name = fresh(stem);
    const data = Float32Array.from(values);
    graph.initializer.push(
      TensorProto.fromObject({
        name,
        dims,
        data_type: DataType.FLOAT,
        raw_data: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
      }) as unknown as TensorMsg,
    );
    return name;
  };
  const intAttr = (name: string, i: number): object => ({ name, type: AttributeType.INT, i });

  // Flatten is a no-op on [batch, F] and makes [batch, F, 1, 1] features work too.
  let x = addNode('Flatten', [options.featuresOutput], fresh('features_flat'), [intAttr('axis', 1)]);
  options.head.layers.forEach((layer, l) => {
    const w = addWeight(`fc${l}.weight`, [layer.outputs, layer.inputs], layer.weight);
    const b = addWeight(`fc${l}.bias`, [layer.outputs], layer.bias);
    x = addNode('Gemm', [x, w, b], fresh(`fc${l}`), [intAttr('transB', 1)]);
    if (l < options.head.layers.length - 1) x = addNode('Relu', [x], fresh(`relu${l}`));
  });
  addNode('Softmax', [x], outputName, [intAttr('axis', 1)]);
  graph.node.push(...nodes);

  const probabilitiesInfo = ValueInfoProto.fromObject({
    name: outputName,
    type: { tensor_type: { elem_type: DataType.FLOAT, shape: { dim: [batchDim(featuresInfo), { dim_value: last.outputs }] } } },
  }) as unknown as ValueInfoMsg;
  graph.output = [probabilitiesInfo, featuresInfo];
  if (options.graphName) graph.name = options.graphName;

  const metadata = new Map(model.metadata_props.map((p) => [p.key, p.value]));
  for (const [key, value] of Object.entries(options.metadata ?? {})) metadata.set(key, value);
  model.metadata_props = [...metadata].map(([key, value]) => StringStringEntryProto.fromObject({ key, value }) as unknown as { key: string; value: string });
  return ModelProto.encode(model as never).finish();
}

/**
 * Reads back the head that appendHead wrote (its `head/` Gemm initializers), for inspection and
 * for checking a merged model against the TS head.
 */
export function extractHead(onnx: Uint8Array): Head {
  const model = ModelProto.decode(onnx) as unknown as ModelMsg;
  const graph = model.graph;
  if (!graph) throw new AppError('MODEL_INVALID', 'ONNX has no graph');
  const tensors = new Map((graph.initializer as Array<TensorMsg & { dims: unknown[]; raw_data: Uint8Array }>).map((t) => [t.name, t]));
  const floats = (name: string | undefined): Float64Array => {
    const t = name === undefined ? undefined : tensors.get(name);
    if (!t || t.raw_data.byteLength === 0) throw new AppError('MODEL_INVALID', `head initializer "${name}" missing or not raw float data`);
    const copy = new Float32Array(t.raw_data.byteLength / 4);
    new Uint8Array(copy.buffer).set(t.raw_data);
    return Float64Array.from(copy);
  };
  const gemms = graph.node.filter((n) => n.op_type === 'Gemm' && n.name.startsWith('head/'));
  if (gemms.length === 0) throw new AppError('MODEL_INVALID', 'no appended head (head/ Gemm nodes) in this graph');
  const layers = gemms.map((g) => {
    const weight = floats(g.input[1]);
    const bias = floats(g.input[2]);
    return { inputs: weight.length / bias.length, outputs: bias.length, weight, bias };
  });
  return { kind: layers.length === 1 ? 'linear' : 'mlp', layers };
}

/** Node ops/names and output names of a graph: enough to check what a merge produced. */
export function inspectGraph(onnx: Uint8Array): { nodes: Array<{ op: string; name: string }>; outputs: string[]; initializers: number } {
  const graph = (ModelProto.decode(onnx) as unknown as ModelMsg).graph;
  if (!graph) throw new AppError('MODEL_INVALID', 'ONNX has no graph');
  return { nodes: graph.node.map((n) => ({ op: n.op_type, name: n.name })), outputs: graph.output.map((o) => o.name), initializers: graph.initializer.length };
}
