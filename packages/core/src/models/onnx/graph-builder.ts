/**
 * Builds ONNX models from code: the classifiers the tests and demo use, imported backbones, and
 * trained heads appended to a backbone. Produces the bytes of a ModelProto.
 */
import { AttributeType, DataType, ModelProto } from './schema.js';

export type Dim = number | string;

export type Attribute =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'floats'; value: readonly number[] }
  | { kind: 'string'; value: string };

export const attr = {
  int: (value: number): Attribute => ({ kind: 'int', value }),
  float: (value: number): Attribute => ({ kind: 'float', value }),
  ints: (value: readonly number[]): Attribute => ({ kind: 'ints', value }),
  floats: (value: readonly number[]): Attribute => ({ kind: 'floats', value }),
  string: (value: string): Attribute => ({ kind: 'string', value }),
};

interface NodeSpec {
  op_type: string;
  input: string[];
  output: string[];
  name: string;
  attribute: object[];
}

function encodeAttribute(name: string, a: Attribute): object {
  switch (a.kind) {
    case 'int':
      return { name, type: AttributeType.INT, i: a.value };
    case 'float':
      return { name, type: AttributeType.FLOAT, f: a.value };
    case 'ints':
      return { name, type: AttributeType.INTS, ints: [...a.value] };
    case 'floats':
      return { name, type: AttributeType.FLOATS, floats: [...a.value] };
    case 'string':
      return { name, type: AttributeType.STRING, s: Buffer.from(a.value, 'utf8') };
  }
}

function valueInfo(name: string, shape: readonly Dim[], elemType: number = DataType.FLOAT): object {
  return {
    name,
    type: {
      tensor_type: {
        elem_type: elemType,
        shape: { dim: shape.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) },
      },
    },
  };
}

export class GraphBuilder {
  private readonly nodes: NodeSpec[] = [];
  private readonly initializers: object[] = [];
  private readonly inputs: object[] = [];
  private readonly outputs: object[] = [];
  private readonly shapes: object[] = [];
  private readonly names = new Set<string>();
  private counter = 0;

  constructor(readonly name: string) {}

  /** A fresh tensor name with a readable stem. */
  fresh(stem: string): string {
    let candidate = stem;
    while (this.names.has(candidate)) candidate = `${stem}_${++this.counter}`;
    this.names.add(candidate);
    return candidate;
  }

  input(name: string, shape: readonly Dim[]): string {
    this.names.add(name);
    this.inputs.push(valueInfo(name, shape));
    return name;
  }

  output(name: string, shape: readonly Dim[]): void {
    this.outputs.push(valueInfo(name, shape));
  }

  /** Records an intermediate tensor's shape (graph value_info), for readers that count costs. */
  annotate(name: string, shape: readonly Dim[]): string {
    this.shapes.push(valueInfo(name, shape));
    return name;
  }

  /** A float32 initializer (weights, biases, constants). */
  weight(stem: string, dims: readonly number[], data: Float32Array): string {
    const expected = dims.reduce((a, b) => a * b, 1);
    if (data.length !== expected) throw new Error(`initializer ${stem}: ${data.length} values for dims [${dims.join(',')}]`);
    const name = this.fresh(stem);
    this.initializers.push({
      name,
      dims: [...dims],
      data_type: DataType.FLOAT,
      raw_data: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
    });
    return name;
  }

  /** An int64 initializer (shapes for Reshape, axes). */
  int64s(stem: string, values: readonly number[]): string {
    const name = this.fresh(stem);
    const raw = Buffer.alloc(values.length * 8);
    values.forEach((v, i) => raw.writeBigInt64LE(BigInt(v), i * 8));
    this.initializers.push({ name, dims: [values.length], data_type: DataType.INT64, raw_data: raw });
    return name;
  }

  /** Appends a node; returns its (single) output name. Output names are generated from the op. */
  node(opType: string, inputs: readonly string[], attrs: Record<string, Attribute> = {}, outputName?: string): string {
    const out = outputName ?? this.fresh(opType.toLowerCase());
    if (outputName) this.names.add(outputName);
    this.nodes.push({
      op_type: opType,
      input: [...inputs],
      output: [out],
      name: this.fresh(`${opType}_node`),
      attribute: Object.entries(attrs).map(([k, v]) => encodeAttribute(k, v)),
    });
    return out;
  }

  /** Appends a node with several outputs (Split), named by the caller. */
  nodeMulti(opType: string, inputs: readonly string[], outputs: readonly string[], attrs: Record<string, Attribute> = {}): void {
    for (const o of outputs) this.names.add(o);
    this.nodes.push({
      op_type: opType,
      input: [...inputs],
      output: [...outputs],
      name: this.fresh(`${opType}_node`),
      attribute: Object.entries(attrs).map(([k, v]) => encodeAttribute(k, v)),
    });
  }

  /** Serialises to ONNX bytes. Opset 17 covers every op hourglass writes. */
  toBytes(options: { opset?: number; producer?: string; metadata?: Record<string, string>; doc?: string } = {}): Uint8Array {
    const message = ModelProto.fromObject({
      ir_version: 8,
      opset_import: [{ domain: '', version: options.opset ?? 17 }],
      producer_name: options.producer ?? 'hourglass',
      producer_version: '0.1.0',
      doc_string: options.doc ?? '',
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
        value_info: this.shapes,
      },
      metadata_props: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
    });
    return ModelProto.encode(message).finish();
  }
}
