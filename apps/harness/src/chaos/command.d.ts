export type { Audit } from './audit.js';
export type { ChaosOptions } from './options.js';
export type { ChaosReport, ScenarioReport } from './report.js';
export { runChaos } from './run.js';
export declare const CHAOS_USAGE = "  chaos [--images N] [--workers W] [--kills K] [--lock-ms MS] [--stalled-ms MS]\n        [--only kill,redis,redis-crash,api,sigterm] [--out report.json]      fault injection at scale, with a report\n";
/** `hourglass chaos ...`: 0 when every scenario lost, duplicated and failed nothing; 1 otherwise; 2 usage. */
export declare function chaosCommand(args: string[], env?: NodeJS.ProcessEnv): Promise<number>;
//# sourceMappingURL=command.d.ts.map