/**
 * Seeded randomness for training: the same seed gives the same split, the same initial weights
 * and the same mini-batch order on every machine. Built on the project's mulberry32 generator.
 */
import { seededRandom } from '../models/generated/colour-net.js';

export type Random = () => number;

/** A generator for one purpose (split, init, shuffle), derived from the job's seed and a stream id. */
export function randomStream(seed: number, stream: number): Random {
  // Mix the stream id in so streams of one seed are unrelated, and seed 0 is not special.
  return seededRandom(Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(stream + 1, 0xc2b2ae35));
}

/** Fisher-Yates shuffle of 0..n-1, like torch.randperm (not its exact numbers). */
export function permutation(n: number, random: Random): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out;
}

/** Uniform in [-limit, limit). */
export function uniform(random: Random, limit: number): number {
  return (random() * 2 - 1) * limit;
}
