import type { ExecutionProvider, PhotoFolder } from '@hourglass/core';
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
export declare const BENCH_DEFAULTS: {
    images: number[];
    workers: number[];
    chunkAt: number;
    corpusSize: number;
    seed: number;
    inProcessMax: number;
    naiveSamples: number;
    outDir: string;
    resultsMd: string;
};
export interface BenchPaths {
    /** Folders searched for models, in order. */
    modelDirs: string[];
    dataRoot: string;
}
export declare function benchPaths(env: NodeJS.ProcessEnv): BenchPaths;
/** Parses "100,10000,1e5" into positive integers. */
export declare function parseCountList(value: string, what: string): number[];
//# sourceMappingURL=options.d.ts.map