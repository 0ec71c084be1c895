/**
 * The measured drains: a batch through Redis/BullMQ to the fleet, per planned size, each printed
 * beside the drain time predicted for it (stored curves, this run's smaller drains, or the
 * in-process rate).
 */
import { curvesFromReport, type ConfigRecord, type ModelRecord, type RegisteredModel } from '@hourglass/core';
import { type Fleet } from './fleet.js';
import type { BenchRun } from './session.js';
export declare function drainRuns(bench: BenchRun, model: RegisteredModel, fleet: Fleet, naive: ModelRecord['naive'], config: ConfigRecord, plan: ReadonlyArray<{
    images: number;
    chunkSize: number | 'auto';
}>, storedCurves: ReturnType<typeof curvesFromReport>): Promise<void>;
//# sourceMappingURL=drain-runs.d.ts.map