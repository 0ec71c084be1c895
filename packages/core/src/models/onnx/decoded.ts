/**
 * ONNX models decoded into plain objects (protobufjs toObject: int64 as numbers, bytes kept as
 * views into the file's buffer, absent fields absent), and the walks over them that inspection
 * and external-data handling need.
 */
import protobuf from 'protobufjs';
import { AppError } from '../../errors.js';
import { ModelProto } from './schema.js';

export interface DimObj {
  dim_value?: number;
  dim_param?: string;
}
export interface ValueInfoObj {
  name?: string;
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: DimObj[] } } };
}
export interface StringEntryObj {
  key?: string;
  value?: string;
}
export interface TensorObj {
  name?: string;
  dims?: number[];
  data_type?: number;
  raw_data?: Uint8Array;
  float_data?: number[];
  int32_data?: number[];
  int64_data?: number[];
  double_data?: number[];
  uint64_data?: number[];
  string_data?: Uint8Array[];
  data_location?: number;
  external_data?: StringEntryObj[];
}
export interface AttributeObj {
  name?: string;
  t?: TensorObj;
  g?: GraphObj;
  tensors?: TensorObj[];
  graphs?: GraphObj[];
}
export interface NodeObj {
  input?: string[];
  output?: string[];
  name?: string;
  op_type?: string;
  domain?: string;
  attribute?: AttributeObj[];
}
export interface GraphObj {
  name?: string;
  node?: NodeObj[];
  initializer?: TensorObj[];
  input?: ValueInfoObj[];
  output?: ValueInfoObj[];
  value_info?: ValueInfoObj[];
}
export interface ModelObj {
  ir_version?: number;
  opset_import?: Array<{ domain?: string; version?: number }>;
  producer_name?: string;
  producer_version?: string;
  doc_string?: string;
  graph?: GraphObj;
  metadata_props?: StringEntryObj[];
}

/** TensorProto.DataLocation.EXTERNAL */
export const EXTERNAL = 1;

/** Bytes per element of the TensorProto data types (undefined: strings and unknown types). */
export const ELEMENT_BYTES: Record<number, number> = {
  1: 4, // FLOAT
  2: 1, // UINT8
  3: 1, // INT8
  4: 2, // UINT16
  5: 2, // INT16
  6: 4, // INT32
  7: 8, // INT64
  9: 1, // BOOL
  10: 2, // FLOAT16
  11: 8, // DOUBLE
  12: 4, // UINT32
  13: 8, // UINT64
  16: 2, // BFLOAT16
  17: 1, // FLOAT8E4M3FN
  18: 1, // FLOAT8E4M3FNUZ
  19: 1, // FLOAT8E5M2
  20: 1, // FLOAT8E5M2FNUZ
};

/** Decodes ONNX bytes; MODEL_NOT_ONNX (naming `file`) when they are not a ModelProto with a graph. */
export function decodeModel(bytes: Uint8Array, file = 'model'): ModelObj {
  let model: ModelObj;
  try {
    const message = ModelProto.decode(bytes);
    model = ModelProto.toObject(message, { longs: Number, enums: Number, defaults: false, arrays: true, oneofs: false }) as ModelObj;
  } catch (error) {
    throw new AppError('MODEL_NOT_ONNX', `${file} is not an ONNX model: ${(error as Error).message}`, { cause: error, details: { file } });
  }
  if (!model.graph || (model.graph.node ?? []).length === 0) {
    throw new AppError('MODEL_NOT_ONNX', `${file} is not an ONNX model: it has no graph (or an empty one)`, { details: { file } });
  }
  return model;
}

export function encodeModel(model: ModelObj): Uint8Array {
  return ModelProto.encode(ModelProto.fromObject(model as Record<string, unknown>)).finish();
}

export const elementCount = (dims: readonly number[] | undefined): number => (dims ?? []).reduce((a, b) => a * b, 1);

/** Every tensor stored in a graph: initializers and Constant-style tensor attributes, sub-graphs included. */
export function* graphTensors(graph: GraphObj): Generator<TensorObj> {
  yield* graph.initializer ?? [];
  for (const node of graph.node ?? []) {
    for (const a of node.attribute ?? []) {
      if (a.t) yield a.t;
      yield* a.tensors ?? [];
      if (a.g) yield* graphTensors(a.g);
      for (const g of a.graphs ?? []) yield* graphTensors(g);
    }
  }
}

/** The external_data entries of a tensor as a map (location, offset, length, checksum). */
export function externalEntries(tensor: TensorObj): Map<string, string> {
  return new Map((tensor.external_data ?? []).map((e) => [e.key ?? '', e.value ?? '']));
}

/** The opset of the default ONNX domain. */
export function defaultOpset(model: ModelObj): number | undefined {
  const entry = (model.opset_import ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  return entry?.version;
}

/** The node that produces `tensor`, looking through Identity nodes. */
export function producerOf(graph: GraphObj, tensor: string): NodeObj | undefined {
  const byOutput = new Map<string, NodeObj>();
  for (const node of graph.node ?? []) for (const out of node.output ?? []) byOutput.set(out, node);
  let node = byOutput.get(tensor);
  for (let hops = 0; node?.op_type === 'Identity' && hops < 16; hops++) node = byOutput.get(node.input?.[0] ?? '');
  return node;
}

/** protobufjs reads int64 as a Long (long.js is installed) or, without it, a number. */
const num = (v: unknown): number => (typeof v === 'number' ? v : (v as { toNumber(): number }).toNumber());

/**
 * Parameter count (initializer elements) and default-domain opset, read by walking the protobuf
 * tags without decoding tensors: raw weights are skipped, not copied, so a 100 MB model costs a
 * few thousand field reads instead of a full decode. Throws on bytes that are not a ModelProto.
 */
export function scanModelFacts(bytes: Uint8Array): { params: number; opset: number | null } {
  const r = protobuf.Reader.create(bytes);
  let params = 0;
  let opset: number | null = null;
  const within = (end: number, each: (field: number, wire: number) => void): void => {
    while (r.pos < end) {
      const tag = r.uint32();
      each(tag >>> 3, tag & 7);
    }
  };
  within(r.len, (field, wire) => {
    if (field === 7 && wire === 2) {
      // GraphProto: initializer = 5
      const graphEnd = r.uint32() + r.pos;
      within(graphEnd, (gField, gWire) => {
        if (gField !== 5 || gWire !== 2) return void r.skipType(gWire);
        // TensorProto: dims = 1 (packed or not)
        const tensorEnd = r.uint32() + r.pos;
        let elements = 1;
        within(tensorEnd, (tField, tWire) => {
          if (tField !== 1) return void r.skipType(tWire);
          if (tWire === 2) {
            const packedEnd = r.uint32() + r.pos;
            while (r.pos < packedEnd) elements *= num(r.int64());
          } else elements *= num(r.int64());
        });
        params += elements;
      });
    } else if (field === 8 && wire === 2) {
      // OperatorSetIdProto: domain = 1, version = 2
      const end = r.uint32() + r.pos;
      let domain = '';
      let version: number | undefined;
      within(end, (oField, oWire) => {
        if (oField === 1 && oWire === 2) domain = r.string();
        else if (oField === 2 && oWire === 0) version = num(r.int64());
        else r.skipType(oWire);
      });
      if ((domain === '' || domain === 'ai.onnx') && version !== undefined) opset = version;
    } else r.skipType(wire);
  });
  return { params, opset };
}
