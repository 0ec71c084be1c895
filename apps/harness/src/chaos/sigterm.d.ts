/** The `sigterm` scenario: SIGTERM every worker mid-batch (drain within the grace period), then start new ones. */
import type { ChaosOptions } from './options.js';
import type { ScenarioReport } from './report.js';
import type { ChaosSystem } from './system.js';
export declare function sigtermScenario(system: ChaosSystem, options: ChaosOptions, paths: string[], expected: string[]): Promise<ScenarioReport>;
//# sourceMappingURL=sigterm.d.ts.map