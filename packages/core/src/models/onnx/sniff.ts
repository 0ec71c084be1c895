/**
 * A cheap check that a file is an ONNX model before anyone tries to load it: an ONNX file is a
 * protobuf ModelProto, so its top level must be a clean sequence of protobuf fields (valid tags,
 * wire types, lengths that end exactly at the end of the file) with a `graph` (field 7). Only
 * tags and lengths are read, never the graph itself, so a 500 MB model costs a few small reads.
 * Text, images, archives, truncated downloads and Git LFS pointers all fail here with a message
 * that names the file; whatever passes still has to load in onnxruntime.
 */
import { open } from 'node:fs/promises';
import { AppError } from '../../errors.js';

/** ModelProto's fields (onnx.proto) and the wire type each must have: 0 varint, 2 length-delimited. */
const MODEL_PROTO_WIRE: Record<number, number> = {
  1: 0, // ir_version
  2: 2, // producer_name
  3: 2, // producer_version
  4: 2, // domain
  5: 0, // model_version
  6: 2, // doc_string
  7: 2, // graph
  8: 2, // opset_import
  14: 2, // metadata_props
  20: 2, // training_info
  25: 2, // functions
  26: 2, // configuration
};

const GRAPH_FIELD = 7;
/** Real models have a handful of top-level fields; a file with this many is not one. */
const MAX_TOP_LEVEL_FIELDS = 100_000;

/** Reads a base-128 varint from `buf` at `at`; undefined when it does not end within 10 bytes. */
function readVarint(buf: Buffer, at: number, end: number): { value: number; bytes: number } | undefined {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10 && at + i < end; i++) {
    const byte = buf[at + i]!;
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if ((byte & 0x80) === 0) return { value, bytes: i + 1 };
  }
  return undefined;
}

function invalid(file: string, why: string): AppError {
  return new AppError('MODEL_INVALID', `${file} is not an ONNX model: ${why}`, { details: { file } });
}

/** Throws MODEL_INVALID (naming the file and what is wrong) unless the file looks like an ONNX ModelProto. */
export async function checkOnnxFile(file: string): Promise<void> {
  const handle = await open(file, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new AppError('MODEL_INVALID', `${file}: cannot open: ${error.code ?? error.message}`, { details: { file } });
  });
  try {
    const { size } = await handle.stat();
    if (size === 0) throw invalid(file, 'the file is empty');
    const head = Buffer.alloc(32);
    let pos = 0;
    let fields = 0;
    let sawGraph = false;
    while (pos < size) {
      if (++fields > MAX_TOP_LEVEL_FIELDS) throw invalid(file, 'too many top-level fields');
      const { bytesRead } = await handle.read(head, 0, head.length, pos);
      const tag = readVarint(head, 0, bytesRead);
      if (!tag) throw invalid(file, `unreadable protobuf tag at byte ${pos}`);
      const field = Math.floor(tag.value / 8);
      const wire = tag.value % 8;
      if (field === 0) throw invalid(file, `field number 0 at byte ${pos}`);
      const expected = MODEL_PROTO_WIRE[field];
      if (expected !== undefined && expected !== wire) throw invalid(file, `field ${field} has wire type ${wire} at byte ${pos}`);
      let next = pos + tag.bytes;
      switch (wire) {
        case 0: {
          const v = readVarint(head, tag.bytes, bytesRead);
          if (!v) throw invalid(file, `unreadable varint at byte ${next}`);
          next += v.bytes;
          break;
        }
        case 1:
          next += 8;
          break;
        case 5:
          next += 4;
          break;
        case 2: {
          const length = readVarint(head, tag.bytes, bytesRead);
          if (!length) throw invalid(file, `unreadable length at byte ${next}`);
          next += length.bytes + length.value;
          break;
        }
        default:
          throw invalid(file, `wire type ${wire} at byte ${pos} (the file does not start like a protobuf ModelProto)`);
      }
      if (next > size) throw invalid(file, `a field at byte ${pos} runs past the end of the file (${size} bytes): truncated?`);
      if (field === GRAPH_FIELD) sawGraph = true;
      pos = next;
    }
    if (!sawGraph) throw invalid(file, 'no graph in the model');
  } finally {
    await handle.close();
  }
}
