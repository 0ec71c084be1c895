/**
 * One batched session.run, shared by both places a session can live (the inference thread, or the
 * calling thread): wrap the batch buffer in a tensor, run, and copy the outputs out of ORT-owned
 * memory so they can be transferred or kept after the next run.
 */
import * as ort from 'onnxruntime-node';

export interface BatchShape {
  inputName: string;
  /** Per-image input dims after the batch axis, e.g. [3, 224, 224]. */
  itemDims: number[];
  outputNames: string[];
}

export interface RunResult {
  outputs: Record<string, Float32Array>;
  /** Wall time of session.run. */
  ms: number;
}

export async function runBatch(session: ort.InferenceSession, shape: BatchShape, input: Float32Array, batch: number): Promise<RunResult> {
  const started = performance.now();
  const tensor = new ort.Tensor('float32', input, [batch, ...shape.itemDims]);
  const results = await session.run({ [shape.inputName]: tensor }, shape.outputNames);
  const outputs: Record<string, Float32Array> = {};
  for (const name of shape.outputNames) {
    outputs[name] = new Float32Array(results[name]!.data as Float32Array);
  }
  return { outputs, ms: performance.now() - started };
}
