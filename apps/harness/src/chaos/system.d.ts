import type { Queue } from 'bullmq';
import { type RedisServerHandle } from '@hourglass/core';
import { type ApiApp } from '@hourglass/api';
import { type SpawnedWorker } from '@hourglass/worker';
import type { ChaosOptions } from './options.js';
export declare const sleep: (ms: number) => Promise<void>;
export interface BatchProgress {
    status: string;
    total: number;
    counts: {
        queued: number;
        active: number;
        completed: number;
        failed: number;
    };
}
/** The system under test: private Redis, in-process API (restartable), worker processes. */
export declare class ChaosSystem {
    private readonly root;
    private readonly options;
    readonly apiKey: string;
    readonly prefix: string;
    workers: SpawnedWorker[];
    redisServer: RedisServerHandle;
    baseUrl: string;
    api: ApiApp;
    private apiRedis;
    private server;
    private port;
    private config;
    private dataRoot;
    private modelsDir;
    private redisDir;
    /** Worker log lines at warn or above, by message (Redis outages make many). */
    readonly workerWarnings: Map<string, number>;
    constructor(root: string, options: ChaosOptions);
    start(): Promise<void>;
    private startApi;
    private stopApi;
    /** Closes the API and builds a new one on the same Redis and port, as a restarted process would. */
    restartApi(): Promise<void>;
    /** SIGTERM: a clean stop (AOF fsynced); SIGKILL: a crash (up to the last second of writes lost). */
    stopRedis(signal?: NodeJS.Signals): Promise<void>;
    startRedis(): Promise<void>;
    queue(): Queue;
    startWorker(): Promise<SpawnedWorker>;
    live(): SpawnedWorker[];
    stopWorkers(): Promise<void>;
    /** `count` references to three real JPEGs, one per colour; the expected label of i is COLOUR_LABELS[i % 3]. */
    images(count: number): Promise<{
        paths: string[];
        expected: string[];
    }>;
    request(pathname: string, init?: RequestInit): Promise<Response>;
    submit(paths: string[]): Promise<string>;
    /** The batch view, or undefined while the API cannot answer (Redis or API away). */
    progress(id: string): Promise<BatchProgress | undefined>;
    waitForDone(id: string, done: number, deadline: number): Promise<BatchProgress | undefined>;
    stop(): Promise<void>;
}
//# sourceMappingURL=system.d.ts.map