/**
 * What a bench run is asked to do (BenchOptions, the defaults of `npm run bench`)
 * and where it finds models and data (its flags parse in ../flags.ts).
 */
import type { ExecutionProvider } from '@hourglass/core';
import type { PhotoFolder } from '@hourglass/core/bench';
import { harnessEnv } from '../env.js';

export interface BenchOptions {
  models: string[];
  images: number[];
  workers: number[];
  batch?: number;
  ep: ExecutionProvider;
  external: boolean;
  /** Also drain `chunkAt` images with K images per job. */
  chunk?: number;
  chunkAt: number;
  /** Where the JSON/Markdown/SVG go; undefined writes nothing. */
  outDir?: string;
  /** Also write the combined Markdown here (bench/RESULTS.md). */
  resultsMd?: string;
  photoDirs: string[];
  knownPhotoFolders?: readonly PhotoFolder[];
  corpusSize: number;
  seed: number;
  /** In-process baselines run at each N up to this; larger N use the rate measured here. */
  inProcessMax: number;
  naiveSamples: number;
  /**
   * Measure each drain's in-process ceiling just before and just after it, at its N, instead of
   * once per worker count up front: the ratio then sees the machine as it was around the drain.
   */
  bracket?: boolean;
  /**
   * On a shared machine: before each measured run wait (at most quietMaxWaitMs) until other
   * programs use fewer than this many cores. Undefined: do not wait.
   */
  quietBelow?: number;
  quietMaxWaitMs?: number;
  /** The command line recorded in the report. */
  command: string;
  /** Where progress and per-run lines go. */
  out?: NodeJS.WriteStream;
}

export const BENCH_DEFAULTS = {
  images: [100, 10_000, 100_000],
  workers: [1, 2],
  chunkAt: 10_000,
  corpusSize: 1_000,
  seed: 1,
  inProcessMax: 10_000,
  naiveSamples: 50,
  outDir: 'bench/results',
  resultsMd: 'bench/RESULTS.md',
};

export interface BenchPaths {
  /** Folders searched for models, in order. */
  modelDirs: string[];
  dataRoot: string;
}

/** MODELS_DIR and DATA_ROOT (env.ts: ./models and ./data unless set). */
export function benchPaths(env: NodeJS.ProcessEnv): BenchPaths {
  const { MODELS_DIR, DATA_ROOT } = harnessEnv(env);
  return { modelDirs: [MODELS_DIR], dataRoot: DATA_ROOT };
}
