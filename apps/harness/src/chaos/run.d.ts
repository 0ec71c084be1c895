import type { ChaosOptions } from './options.js';
import { type ChaosReport } from './report.js';
export declare function runChaos(options: ChaosOptions, out?: (line?: string) => void): Promise<ChaosReport>;
//# sourceMappingURL=run.d.ts.map