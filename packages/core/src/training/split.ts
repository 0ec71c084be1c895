/**
 * The train / validation split: fastai's RandomSplitter(valid_pct, seed) idea — shuffle with the
 * seed, hold out valid_pct — done per class (stratified). fastai shuffles all items at once, so
 * in a small dataset a class can land entirely on one side by luck (15 images a class, seed 42:
 * one class got no validation image at all); per class, every class with ≥ 2 images has at least
 * one image on each side, and "too few images" becomes a rule (< 2 in a class), not bad luck.
 * Deterministic for a seed and an item order (datasets are scanned in sorted order).
 */
import { permutation, randomStream } from './random.js';

export interface Split {
  /** Indices into the item list, ascending. */
  train: number[];
  valid: number[];
}

const SPLIT_STREAM = 1;

/** Validation images for a class of `count`: round(validPct × count), kept within [1, count - 1]. */
export function validCount(count: number, validPct: number): number {
  if (count < 2) return 0;
  return Math.min(count - 1, Math.max(1, Math.round(validPct * count)));
}

/** Splits items by class label (`itemLabels[i]` = class of item i), seeded. */
export function randomSplit(itemLabels: ArrayLike<number>, validPct: number, seed: number): Split {
  if (!(validPct > 0 && validPct < 1)) throw new RangeError(`validPct must be in (0, 1), got ${validPct}`);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < itemLabels.length; i++) {
    const label = itemLabels[i]!;
    const list = byClass.get(label);
    if (list) list.push(i);
    else byClass.set(label, [i]);
  }
  const random = randomStream(seed, SPLIT_STREAM);
  const train: number[] = [];
  const valid: number[] = [];
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const items = byClass.get(label)!;
    const order = permutation(items.length, random);
    const cut = validCount(items.length, validPct);
    order.forEach((k, rank) => (rank < cut ? valid : train).push(items[k]!));
  }
  return { train: train.sort((a, b) => a - b), valid: valid.sort((a, b) => a - b) };
}

export interface ClassSplitCount {
  label: string;
  total: number;
  train: number;
  valid: number;
}

/** Per-class counts of a split, to check that every class can be learnt and measured. */
export function splitCounts(labels: readonly string[], itemLabels: ArrayLike<number>, split: Split): ClassSplitCount[] {
  const counts = labels.map((label) => ({ label, total: 0, train: 0, valid: 0 }));
  for (const i of split.train) {
    const c = counts[itemLabels[i]!]!;
    c.total++;
    c.train++;
  }
  for (const i of split.valid) {
    const c = counts[itemLabels[i]!]!;
    c.total++;
    c.valid++;
  }
  return counts;
}
