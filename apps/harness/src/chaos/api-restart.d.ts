/** The `api` scenario: close the API mid-batch and build a new one on the same Redis and port. */
import type { ChaosOptions } from './options.js';
import type { ScenarioReport } from './report.js';
import { type ChaosSystem } from './system.js';
export declare function apiScenario(system: ChaosSystem, options: ChaosOptions, paths: string[], expected: string[]): Promise<ScenarioReport>;
//# sourceMappingURL=api-restart.d.ts.map