/**
 * What a bench run is asked to do (BenchOptions, the defaults of `npm run bench`), how its lists
 * are parsed, and where it finds models and data.
 */
import path from 'node:path';
import { UsageError } from '@hourglass/cli';
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
export function benchPaths(env) {
    const home = path.resolve(env.HOURGLASS_HOME ?? '.hourglass');
    const modelDirs = env.MODELS_DIR ? [path.resolve(env.MODELS_DIR)] : [path.resolve('models'), path.join(home, 'models')];
    return { modelDirs, dataRoot: path.resolve(env.DATA_ROOT ?? path.join(home, 'data')) };
}
/** Parses "100,10000,1e5" into positive integers. */
export function parseCountList(value, what) {
    const list = value.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
    if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 1))
        throw new UsageError(`--${what}: expected comma-separated positive integers, got "${value}"`);
    return list;
}
//# sourceMappingURL=options.js.map