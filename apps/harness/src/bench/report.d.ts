import { type BenchReport, type Corpus, type MachineInfo } from '@hourglass/core';
import type { BenchOptions } from './options.js';
/** The report before any model is measured: machine, corpus and options. */
export declare function newBenchReport(options: BenchOptions, machine: MachineInfo, corpus: Corpus, notes: string[]): BenchReport;
/** The newest stored report for this model from a machine like this one, for predictions. */
export declare function storedReport(outDir: string | undefined, model: string, cpuModel: string, cores: number): Promise<BenchReport | undefined>;
/** bench/results/<date>-<host>-<model>.{json,md,svg}, and the combined Markdown as RESULTS.md. */
export declare function writeOutputs(report: BenchReport, outDir: string, resultsMd?: string, render?: {
    writeJson?: boolean;
    baseName?: string;
}): Promise<string[]>;
//# sourceMappingURL=report.d.ts.map