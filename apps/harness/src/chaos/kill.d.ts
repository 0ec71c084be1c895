import type { ChaosOptions } from './options.js';
import type { ScenarioReport } from './report.js';
import { type ChaosSystem } from './system.js';
export declare function killScenario(system: ChaosSystem, options: ChaosOptions, paths: string[], expected: string[]): Promise<ScenarioReport>;
//# sourceMappingURL=kill.d.ts.map