/**
 * A classifier that decodes nothing and runs nothing: every image gets the same top-k at once.
 * The queue-only ceiling benches (bench:queue, bench:cluster) run the real worker (BullMQ worker,
 * processor, coalescing result writer, Lua scripts) with it, so what they measure is the queue and
 * the store, inference at zero.
 * Never used to serve real batches: its rows say `queue-only` in every label.
 */
import type { Classification, ImageClassifier, RegisteredModel } from '@hourglass/core';

/** Labels as long as ImageNet's typical ones, confidences as the real classifier writes them: rows the size of a real model's. */
function fixedPredictions(topK: number): Classification['predictions'] {
  // Six digits, as the real classifier's topK rounds them.
  const confidences = [0.834827, 0.093271, 0.021449, 0.007312, 0.004092];
  return Array.from({ length: Math.max(1, Math.min(topK, 5)) }, (_, i) => ({ label: `queue-only class ${i}`, confidence: confidences[i]! }));
}

export function openNullClassifier(model: RegisteredModel): ImageClassifier {
  const predictions = fixedPredictions(model.manifest.topK);
  const nothing = { predictions, timings: { preprocessMs: 0, inferenceMs: 0, runMs: 0, batchSize: 1 } } satisfies Classification;
  const classifier = {
    model,
    info: { ep: 'cpu' as const, inputNames: [], outputNames: [] },
    classify: async (): Promise<Classification> => nothing,
    close: async (): Promise<void> => undefined,
  };
  // ImageClassifier's private fields make it nominal; the worker uses only these members.
  return classifier as unknown as ImageClassifier;
}
