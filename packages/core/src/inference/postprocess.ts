/** From one output row to labels: softmax when the model emits logits, then the top k. */
export interface Prediction {
  label: string;
  confidence: number;
}

export function softmaxInPlace(row: Float32Array): Float32Array {
  let max = -Infinity;
  for (const v of row) if (v > max) max = v;
  let sum = 0;
  for (let i = 0; i < row.length; i++) {
    const e = Math.exp(row[i]! - max);
    row[i] = e;
    sum += e;
  }
  for (let i = 0; i < row.length; i++) row[i]! /= sum;
  return row;
}

export function topK(probabilities: ArrayLike<number>, labels: readonly string[], k: number): Prediction[] {
  const order = Array.from({ length: probabilities.length }, (_, i) => i);
  order.sort((a, b) => probabilities[b]! - probabilities[a]!);
  return order.slice(0, Math.min(k, order.length)).map((i) => ({
    label: labels[i] ?? `class_${i}`,
    // Rounded: six digits are more than any confidence means, and rows stay short.
    confidence: Math.round(probabilities[i]! * 1e6) / 1e6,
  }));
}
