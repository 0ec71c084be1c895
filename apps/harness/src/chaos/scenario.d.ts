import type { ChaosOptions, ScenarioName } from './options.js';
import type { ScenarioReport } from './report.js';
import type { ChaosSystem } from './system.js';
/** Runs one scenario on a fresh batch of `paths` (expected labels `expected`) and reports it. */
export type ScenarioRunner = (system: ChaosSystem, options: ChaosOptions, paths: string[], expected: string[]) => Promise<ScenarioReport>;
/** How long a scenario may take before it is reported incomplete. */
export declare function deadlineFor(options: ChaosOptions): number;
/** Waits for the batch to finish (or the deadline), then audits it. */
export declare function finish(system: ChaosSystem, scenario: ScenarioName, id: string, expected: string[], t0: number, deadline: number): Promise<ScenarioReport>;
//# sourceMappingURL=scenario.d.ts.map