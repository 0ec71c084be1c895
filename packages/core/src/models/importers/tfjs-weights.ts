/**
 * Decodes the weights of a TF.js model into float32 tensors, the way tfjs-core's `decodeWeights`
 * does: uint8 / uint16 quantized values become `q * scale + min` (computed in double, stored as
 * float32, exactly as tfjs computes them), float16 values are widened. int32 weights are rounded
 * after dequantization like tfjs does, then held as float32 too (every consumer here wants floats).
 */
import { AppError } from '../../errors.js';
import type { TfjsArtifacts, TfjsWeightSpec } from './tfjs-artifacts.js';

export interface FloatTensor {
  shape: number[];
  data: Float32Array;
}

export type WeightMap = Map<string, FloatTensor>;

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/** IEEE 754 half → number. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

function decodeOne(spec: TfjsWeightSpec, bytes: Uint8Array): Float32Array {
  const count = spec.shape.reduce((a, b) => a * b, 1);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  const q = spec.quantization;
  if (q) {
    if (q.dtype === 'float16') {
      for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
    } else {
      if (q.min === undefined || q.scale === undefined) throw new AppError('MODEL_INVALID', `weight ${spec.name}: ${q.dtype} quantization without min/scale`);
      const { min, scale } = q;
      const round = spec.dtype === 'int32';
      for (let i = 0; i < count; i++) {
        const v = q.dtype === 'uint8' ? bytes[i]! : view.getUint16(i * 2, true);
        out[i] = round ? Math.round(v * scale + min) : v * scale + min;
      }
    }
    return out;
  }
  switch (spec.dtype) {
    case 'float32':
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
      return out;
    case 'int32':
      for (let i = 0; i < count; i++) out[i] = view.getInt32(i * 4, true);
      return out;
    case 'bool':
      for (let i = 0; i < count; i++) out[i] = bytes[i] ? 1 : 0;
      return out;
    default:
      throw new AppError('MODEL_INVALID', `weight ${spec.name}: dtype ${spec.dtype} is not supported`);
  }
}

export function decodeTfjsWeights(artifacts: TfjsArtifacts): WeightMap {
  const weights: WeightMap = new Map();
  artifacts.modelJson.weightsManifest.forEach((group, g) => {
    const data = artifacts.groupData[g]!;
    let offset = 0;
    for (const spec of group.weights) {
      const count = spec.shape.reduce((a, b) => a * b, 1);
      const size = count * (BYTES[spec.quantization?.dtype ?? spec.dtype] ?? Number.NaN);
      if (!Number.isFinite(size) || offset + size > data.byteLength) {
        throw new AppError('MODEL_INVALID', `${artifacts.dir}: weight ${spec.name} (${spec.dtype}, [${spec.shape.join(',')}]) runs past the end of its shards`);
      }
      weights.set(spec.name, { shape: [...spec.shape], data: decodeOne(spec, data.subarray(offset, offset + size)) });
      offset += size;
    }
    if (offset !== data.byteLength) {
      throw new AppError('MODEL_INVALID', `${artifacts.dir}: weight group ${g} holds ${data.byteLength} bytes, its manifest describes ${offset}`);
    }
  });
  return weights;
}
