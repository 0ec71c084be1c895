/**
 * The in-process baseline: the worker's own classifiers (as many as the fleet has workers, with
 * its settings) on the corpus, no queue, at each size up to --inprocess-max.
 */
import { type InProcessResult, type RegisteredModel } from '@hourglass/core';
import type { Fleet } from './fleet.js';
import type { BenchRun } from './session.js';
export declare function measureInProcessRuns(bench: BenchRun, model: RegisteredModel, fleet: Fleet): Promise<InProcessResult[]>;
//# sourceMappingURL=in-process.d.ts.map