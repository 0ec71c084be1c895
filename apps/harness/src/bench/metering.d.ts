/**
 * CPU accounting around measured runs: how many cores we used and how many other programs did,
 * and (on a shared machine, when asked) waiting for the others to go quiet first.
 */
import { CpuMeter } from '@hourglass/core';
import type { BenchSession } from './session.js';
export type CpuUse = Awaited<ReturnType<CpuMeter['stop']>>;
/** Waits until other programs leave the machine (nearly) idle, when asked to. */
export declare function waitQuiet(session: BenchSession): Promise<void>;
/** Runs `run` (after waitQuiet) with the CPU meter on. */
export declare function metered<T extends object>(session: BenchSession, run: () => Promise<T>): Promise<T & {
    cpu: CpuUse;
}>;
export declare const cpuNote: (cpu: {
    oursCores: number | null;
    foreignCores: number | null;
} | undefined) => string;
//# sourceMappingURL=metering.d.ts.map