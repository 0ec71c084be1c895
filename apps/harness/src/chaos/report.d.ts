/**
 * The chaos report: what each scenario measured, whether it passed, the totals, and the table and
 * verdict printed at the end.
 */
import type { Audit } from './audit.js';
import type { ChaosOptions, ScenarioName } from './options.js';
export interface ScenarioReport {
    scenario: ScenarioName;
    audit: Audit;
    wallMs: number;
    /** Set when the batch did not finish within the scenario's deadline. */
    incomplete?: string;
    kills?: Array<{
        atDone: number;
        inFlightJobs: number;
        recoveryMs: number;
    }>;
    redis?: {
        signal: NodeJS.Signals;
        atDone: number;
        downMs: number;
        apiBackAfterMs: number;
        resumedAfterMs: number;
        apiAnswered503WhileDown: boolean;
        workersAlive: boolean;
    };
    api?: {
        imagesFinishedWhileRestarting: number;
        queryableAfter: boolean;
    };
    sigterm?: {
        exitCodes: Array<number | string>;
        drainMs: number;
        activeAfter: number;
    };
}
export interface ChaosReport {
    startedAt: string;
    host: {
        cpus: number;
        platform: string;
    };
    options: Omit<ChaosOptions, 'out'>;
    scenarios: ScenarioReport[];
    totals: {
        images: number;
        lost: number;
        duplicates: number;
        failed: number;
        killsSurvived: number;
    };
    pass: boolean;
}
export declare function passed(report: ScenarioReport): boolean;
/** One line on what the scenario did to the system and how it came back. */
export declare function detail(report: ScenarioReport, options: ChaosOptions): string;
/** Adds up the scenarios into report.totals and decides report.pass. */
export declare function tally(report: ChaosReport, options: ChaosOptions): void;
/** The table of scenarios, the commonest worker warnings, and the PASS/FAIL line. */
export declare function printReport(report: ChaosReport, options: ChaosOptions, workerWarnings: ReadonlyMap<string, number>, out: (line?: string) => void): void;
//# sourceMappingURL=report.d.ts.map