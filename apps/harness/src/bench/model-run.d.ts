import type { BenchRun } from './session.js';
export declare function benchModel(bench: BenchRun, name: string): Promise<void>;
//# sourceMappingURL=model-run.d.ts.map