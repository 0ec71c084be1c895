/**
 * What a bench run is asked to do (BenchOptions, the defaults of `npm run bench`), how its lists
 * are parsed, and where it finds models and data.
 */
import path from 'node:path';
import type { ExecutionProvider } from '@hourglass/core';
import type { PhotoFolder } from '@hourglass/core/bench';
import { UsageError } from './commands/common.js';

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

export function benchPaths(env: NodeJS.ProcessEnv): BenchPaths {
  const home = path.resolve(env.HOURGLASS_HOME ?? '.hourglass');
  const modelDirs = env.MODELS_DIR ? [path.resolve(env.MODELS_DIR)] : [path.resolve('models'), path.join(home, 'models')];
  return { modelDirs, dataRoot: path.resolve(env.DATA_ROOT ?? path.join(home, 'data')) };
}

/** Parses "100,10000,1e5" into positive integers. */
export function parseCountList(value: string, what: string): number[] {
  const list = value.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 1)) throw new UsageError(`--${what}: expected comma-separated positive integers, got "${value}"`);
  return list;
}
