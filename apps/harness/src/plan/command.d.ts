import { type BenchReport } from '@hourglass/core';
export declare const PLAN_USAGE = "  plan --model NAME --images N [--workers W] [--target SECONDS] [--from DIR|FILE]\n                                             predicted drain time (and replicas for a target) from stored bench curves\n";
/** The newest report holding `model`: a file, or the newest matching file in a folder. */
export declare function findReport(from: string, model: string): Promise<{
    file: string;
    report: BenchReport;
} | undefined>;
export declare function planCommand(args: string[]): Promise<number>;
//# sourceMappingURL=command.d.ts.map