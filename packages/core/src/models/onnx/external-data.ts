/**
 * Moves large initializers out of an ONNX file into external data, as `onnx.save_model(...,
 * save_as_external_data=True)` and PyTorch's exporter do: each tensor's raw_data is appended to a
 * data file (offsets aligned), and the tensor keeps its dims with data_location = EXTERNAL and
 * external_data entries { location, offset, length }. Used by the fixture generator; real exports
 * are only read (models/byo).
 */
import { decodeModel, encodeModel, EXTERNAL, graphTensors, type TensorObj } from './decoded.js';

export interface ExternalizeOptions {
  /** The data file, relative to the model file. Default `model.onnx.data` (onnx's convention). */
  location?: string;
  /** Tensors with fewer raw bytes stay inline. Default 1024 (onnx's size_threshold). */
  threshold?: number;
  /** Offset alignment inside the data file. Default 4096, as onnx aligns for mmap. */
  align?: number;
  /** One file per tensor, named after it (what torch.onnx.export writes for models > 2 GB). */
  perTensor?: boolean;
}

export interface ExternalizedModel {
  onnx: Uint8Array;
  /** The data files, relative to the model file, with their bytes. */
  files: Array<{ path: string; data: Uint8Array }>;
  /** How many tensors moved out. */
  tensors: number;
}

const fileNameFor = (tensor: string, index: number): string => `${tensor.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^\.+/, '') || 'tensor'}_${index}`;

export function externalizeWeights(onnx: Uint8Array, options: ExternalizeOptions = {}): ExternalizedModel {
  const location = options.location ?? 'model.onnx.data';
  const threshold = options.threshold ?? 1024;
  const align = Math.max(1, options.align ?? 4096);
  const model = decodeModel(onnx);
  const chunks = new Map<string, Array<{ offset: number; bytes: Uint8Array }>>();
  const sizes = new Map<string, number>();
  let moved = 0;
  for (const tensor of graphTensors(model.graph!) as Iterable<TensorObj>) {
    const raw = tensor.raw_data;
    if (!raw || raw.byteLength < threshold || tensor.data_location === EXTERNAL) continue;
    const file = options.perTensor ? fileNameFor(tensor.name ?? 'tensor', moved) : location;
    const end = sizes.get(file) ?? 0;
    const offset = Math.ceil(end / align) * align;
    const list = chunks.get(file) ?? [];
    list.push({ offset, bytes: raw });
    chunks.set(file, list);
    sizes.set(file, offset + raw.byteLength);
    delete tensor.raw_data;
    tensor.data_location = EXTERNAL;
    tensor.external_data = [
      { key: 'location', value: file },
      { key: 'offset', value: String(offset) },
      { key: 'length', value: String(raw.byteLength) },
    ];
    moved++;
  }
  const files = [...chunks.entries()].map(([file, list]) => {
    const data = new Uint8Array(sizes.get(file) ?? 0);
    for (const { offset, bytes } of list) data.set(bytes, offset);
    return { path: file, data };
  });
  return { onnx: encodeModel(model), files, tensors: moved };
}
