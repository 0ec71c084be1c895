/**
 * `npm run bench -- --model NAME[,NAME] --images 100,10000,100000 --workers 1,2 [--batch B]
 * [--ep cpu|webgpu] [--external] [--chunk K] [--out DIR]`: the measurement hourglass exists for.
 *
 * For each model: the naive baseline (one image's latency × N); then for each worker count the
 * in-process baseline (the worker's own classifier, no queue) and real drains through Redis/BullMQ
 * with N worker processes, each run printed with its prediction beside it. Results go to
 * bench/results/<date>-<host>-<model>.{json,md,svg} and bench/RESULTS.md.
 *
 * This file is the run from start to end. Its parts: bench-options (options, defaults, paths),
 * bench-session (Redis, prefix, signals, cleanup), bench-corpus, bench-metering (CPU, quiet
 * waits), bench-model-run (one model) with bench-in-process and bench-drain-runs, bench-fleet
 * (the workers), bench-report (skeleton, stored report, output files). bench-command parses the
 * command lines.
 */
import { type BenchReport } from '@hourglass/core';
import type { BenchOptions } from './options.js';
export { BENCH_DEFAULTS, parseCountList, type BenchOptions } from './options.js';
export { writeOutputs } from './report.js';
export { resolveBenchModel } from './resolve-model.js';
export declare function runBench(options: BenchOptions, env?: NodeJS.ProcessEnv): Promise<BenchReport>;
//# sourceMappingURL=run.d.ts.map