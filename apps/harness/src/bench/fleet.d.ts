import { type Keys, type PipelineSettings, type Redis, type RegisteredModel, type WorkerConfig } from '@hourglass/core';
export interface Fleet {
    workers: number;
    /** What each worker runs with (for external workers: what their heartbeats report). */
    settings: PipelineSettings;
    external: boolean;
    /** Process ids of the workers (none for external ones), for CPU accounting. */
    pids(): number[];
    stop(): Promise<void>;
}
export interface LocalFleetOptions {
    model: RegisteredModel;
    workers: number;
    /** Environment of the worker processes (REDIS_URL, HOURGLASS_PREFIX, DATA_ROOT, MODELS_DIR ...). */
    env: NodeJS.ProcessEnv;
    /** The worker config they will parse from env: the settings are derived the same way. */
    config: WorkerConfig;
    onWarning?: (line: string) => void;
    /** Each worker's whole stderr (Vulkan loader, Dawn, onnxruntime) goes to a file here. */
    stderrDir?: string;
}
export declare function startLocalFleet(options: LocalFleetOptions): Promise<Fleet>;
/** Workers already serving `model` against this Redis and prefix (compose replicas, other hosts). */
export declare function externalFleet(redis: Redis, keys: Keys, model: RegisteredModel, config: WorkerConfig): Promise<Fleet>;
/**
 * Waits (at most `timeoutMs`) until `workers` live workers of the model report a busy rate in their
 * heartbeats: the auto chunk size of the next drain is chosen from them, as the API would.
 * Returns the rates seen (fewer than asked for when it timed out).
 */
export declare function waitForWorkerRates(redis: Redis, keys: Keys, model: string, workers: number, timeoutMs?: number): Promise<number[]>;
//# sourceMappingURL=fleet.d.ts.map