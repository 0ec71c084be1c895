/**
 * Facts for listing a registered model: parameter count, opset, external data and total size.
 * Models registered by `models add` carry them in model.json (`onnx`); for the others (bundled,
 * generated, trained) the ONNX file's tags are walked once (scanModelFacts) and the answer cached per file version
 * (path, size, mtime), so GET /v1/models stays cheap.
 */
import { readFile, stat } from 'node:fs/promises';
import type { RegisteredModel } from '../registry.js';
import { scanModelFacts } from '../onnx/decoded.js';

export interface ModelFacts {
  params: number | null;
  opset: number | null;
  /** Bytes of external data files (0 when the weights are inline). */
  externalDataBytes: number;
  /** model.onnx plus its external data. */
  totalBytes: number;
}

const cache = new Map<string, { key: string; facts: Promise<Omit<ModelFacts, 'totalBytes'>> }>();
const MAX_CACHED = 256;

interface StoredOnnxFacts {
  params?: unknown;
  opset?: unknown;
  externalData?: Array<{ bytes?: unknown }>;
}

async function decodeFacts(file: string): Promise<Omit<ModelFacts, 'totalBytes'>> {
  try {
    // Only `models add` registers external data, and it records the files in model.json.
    return { ...scanModelFacts(await readFile(file)), externalDataBytes: 0 };
  } catch {
    return { params: null, opset: null, externalDataBytes: 0 };
  }
}

/** See the module comment. Never throws: unknown facts are null. */
export async function modelFacts(model: RegisteredModel): Promise<ModelFacts> {
  const stored = (model.manifest as { onnx?: StoredOnnxFacts }).onnx;
  if (stored && typeof stored.params === 'number') {
    const externalDataBytes = (stored.externalData ?? []).reduce((sum, f) => sum + (typeof f.bytes === 'number' ? f.bytes : 0), 0);
    return {
      params: stored.params,
      opset: typeof stored.opset === 'number' ? stored.opset : null,
      externalDataBytes,
      totalBytes: model.onnxBytes + externalDataBytes,
    };
  }
  const info = await stat(model.onnxPath).catch(() => undefined);
  const key = `${info?.size}:${info?.mtimeMs}`;
  let entry = cache.get(model.onnxPath);
  if (!entry || entry.key !== key) {
    entry = { key, facts: decodeFacts(model.onnxPath) };
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
    cache.set(model.onnxPath, entry);
  }
  const facts = await entry.facts;
  return { ...facts, totalBytes: model.onnxBytes + facts.externalDataBytes };
}
