import { describe, expect, it } from 'vitest';
import {
  accumulateLoss,
  evaluate,
  fitStandardiser,
  foldStandardiser,
  initHead,
  lossAndGradients,
  predict,
  randomStream,
  standardise,
  standardiseRows,
  type Head,
} from '@hourglass/core/testing';

/** A tiny problem: 6 rows of 4 features, 3 classes. */
function tinyProblem(seed = 7): { x: Float64Array; y: Int32Array; n: number; width: number } {
  const random = randomStream(seed, 99);
  const n = 6;
  const width = 4;
  const x = Float64Array.from({ length: n * width }, () => random() * 2 - 1);
  const y = Int32Array.from([0, 1, 2, 0, 1, 2]);
  return { x, y, n, width };
}

function numericGradient(head: Head, x: Float64Array, y: Int32Array, n: number, param: Float64Array, i: number): number {
  const h = 1e-6;
  const saved = param[i]!;
  param[i] = saved + h;
  const plus = lossAndGradients(head, x, y, n).loss;
  param[i] = saved - h;
  const minus = lossAndGradients(head, x, y, n).loss;
  param[i] = saved;
  return (plus - minus) / (2 * h);
}

describe('head math', () => {
  it.each(['linear', 'mlp'] as const)('%s: analytic gradients match finite differences', (kind) => {
    const { x, y, n, width } = tinyProblem();
    const head = initHead({ kind, inputs: width, classes: 3, hidden: 5 }, randomStream(1, 2));
    // Biases away from zero so the ReLU kinks are not sat on.
    for (const layer of head.layers) layer.bias.forEach((_, i) => (layer.bias[i] = 0.1 * (i + 1)));
    const { gradients } = lossAndGradients(head, x, y, n);
    let checked = 0;
    head.layers.forEach((layer, l) => {
      const g = gradients.layers[l]!;
      for (const [param, grad] of [
        [layer.weight, g.weight],
        [layer.bias, g.bias],
      ] as const) {
        for (let i = 0; i < param.length; i++) {
          const numeric = numericGradient(head, x, y, n, param, i);
          expect(Math.abs(grad[i]! - numeric), `layer ${l} #${i}`).toBeLessThan(1e-6 + 1e-4 * Math.abs(numeric));
          checked++;
        }
      }
    });
    expect(checked).toBe(kind === 'linear' ? 4 * 3 + 3 : 4 * 5 + 5 + 5 * 3 + 3);
  });

  it('cross-entropy of uniform predictions is ln(classes)', () => {
    const head = initHead({ kind: 'linear', inputs: 2, classes: 4 }, randomStream(1, 1));
    head.layers[0]!.weight.fill(0);
    const stats = evaluate(head, new Float64Array([1, 2, 3, 4]), [0, 3], 2);
    expect(stats.loss).toBeCloseTo(Math.log(4), 12);
    const p = predict(head, new Float64Array([1, 2]), 1);
    expect([...p]).toEqual([0.25, 0.25, 0.25, 0.25]);
  });

  it('softmax does not overflow on large logits', () => {
    const head = initHead({ kind: 'linear', inputs: 1, classes: 2 }, randomStream(1, 1));
    head.layers[0]!.weight.set([1000, -1000]);
    const p = predict(head, new Float64Array([5]), 1);
    expect(p[0]).toBe(1);
    expect(p[1]).toBe(0);
    expect(Number.isFinite(evaluate(head, new Float64Array([5]), [1], 1).loss)).toBe(true);
  });

  it('folding the standardisation into the first layer gives the same probabilities on raw features', () => {
    const { x, n, width } = tinyProblem(3);
    const raw = x.map((v, i) => v * (i % width === 0 ? 50 : 1) + (i % width) * 3);
    const s = fitStandardiser(raw, n, width);
    for (const kind of ['linear', 'mlp'] as const) {
      const head = initHead({ kind, inputs: width, classes: 3, hidden: 6 }, randomStream(4, 5));
      const expected = predict(head, standardise(raw, n, s), n);
      const folded = foldStandardiser(head, s);
      const actual = predict(folded, raw, n);
      for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThan(1e-5);
      // Exported weights are float32 values.
      for (const layer of folded.layers) for (const w of layer.weight) expect(Math.fround(w)).toBe(w);
    }
  });

  it('initialisation is seeded', () => {
    const a = initHead({ kind: 'mlp', inputs: 8, classes: 3, hidden: 4 }, randomStream(42, 2));
    const b = initHead({ kind: 'mlp', inputs: 8, classes: 3, hidden: 4 }, randomStream(42, 2));
    const c = initHead({ kind: 'mlp', inputs: 8, classes: 3, hidden: 4 }, randomStream(43, 2));
    expect([...a.layers[0]!.weight]).toEqual([...b.layers[0]!.weight]);
    expect([...a.layers[0]!.weight]).not.toEqual([...c.layers[0]!.weight]);
  });

  it('statistics, standardised rows and chunked losses read in place equal those of a gathered copy, bit for bit', () => {
    const width = 5;
    const n = 40;
    const random = randomStream(9, 3);
    const x = Float32Array.from({ length: n * width }, () => random() * 10 - 2);
    const rows = [3, 4, 8, 15, 16, 23, 31, 39];
    const gathered = new Float64Array(rows.length * width);
    rows.forEach((r, k) => gathered.set(x.subarray(r * width, (r + 1) * width), k * width));

    const s = fitStandardiser(x, rows.length, width, rows);
    expect(s).toEqual(fitStandardiser(gathered, rows.length, width));
    const z = standardiseRows(x, rows, s);
    expect(z).toEqual(standardise(gathered, rows.length, s));

    const head = initHead({ kind: 'mlp', inputs: width, classes: 3, hidden: 4 }, randomStream(2, 2));
    const y = rows.map((r) => r % 3);
    const total = { loss: 0, errors: 0 };
    for (let from = 0; from < rows.length; from += 3) {
      const part = rows.slice(from, from + 3);
      accumulateLoss(head, standardiseRows(x, part, s), y.slice(from, from + 3), part.length, total);
    }
    const once = evaluate(head, z, y, rows.length);
    expect(total.loss / rows.length).toBe(once.loss);
    expect(total.errors).toBe(once.errors);
  });
});
