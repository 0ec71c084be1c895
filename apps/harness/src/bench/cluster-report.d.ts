export interface ClusterRun {
    redis: string;
    masters: number;
    shards: number;
    workers: number;
    images: number;
    /** The images went in as this many batches submitted at once. */
    batches: number;
    chunkSize: number;
    drainMs: number;
    imagesPerSecond: number;
    /** Redis CPU µs per image on each master (INFO cpu, user + sys), net of the master's idle CPU. */
    perNodeCpuUs: number[];
    /** The same before the idle CPU (measured just before the run) was taken off. */
    rawPerNodeCpuUs: number[];
    idleCpuUsPerSecond: number[];
    scriptCallsPerImage: number;
    /** Images that got failure rows (0 in a sound run; reports from before it was counted lack it). */
    failures?: number;
    /** 1-minute load average when the run ended. */
    loadAverage: number;
}
export interface ClusterReport {
    machine: string;
    loadBefore: number[];
    loadAfter: number[];
    command: string;
    runs: ClusterRun[];
}
export declare function clusterRunFigures(run: ClusterRun): {
    totalUs: number;
    busiestUs: number;
    perCore: number;
    busiestCeiling: number;
};
export declare function renderClusterBench(runs: readonly ClusterRun[], options: {
    header: boolean;
} & Partial<ClusterReport>): string;
export declare function writeClusterBench(report: ClusterReport, dir?: string): Promise<string[]>;
//# sourceMappingURL=cluster-report.d.ts.map