/** What a TF.js → ONNX converter hands back: the bytes plus the facts a manifest needs. */
export interface ConvertedModel {
  onnx: Uint8Array;
  input: { name: string; channels: number; height: number; width: number };
  /** The classifier output; `kind` is 'probabilities' when the graph ends in a softmax. */
  output: { name: string; size: number; kind: 'probabilities' | 'logits' };
  /** The pooled backbone output feeding the first dense layer, when the model has one. */
  features?: { name: string; size: number };
  /** Source layer classes (Keras) or ops (TF graph) → count. */
  sourceOps: Record<string, number>;
  /** ONNX ops written → count. */
  onnxOps: Record<string, number>;
}

export interface ConvertOptions {
  /** Graph name inside the ONNX file. */
  graphName: string;
  inputName?: string;
  outputName?: string;
  featuresName?: string;
  doc?: string;
  metadata?: Record<string, string>;
}

export function countInto(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

export function sortedCounts(map: Map<string, number> | Record<string, number>): Record<string, number> {
  const entries = map instanceof Map ? [...map.entries()] : Object.entries(map);
  return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
}
