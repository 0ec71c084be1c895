import { type Redis, type RegisteredModel } from '@hourglass/core';
import { type SpawnedWorker } from '@hourglass/worker';
export declare const QUEUE_MODEL = "queue-only";
export interface QueueOnlyFixture {
    modelsDir: string;
    dataRoot: string;
    model: RegisteredModel;
    /** The one file every item points at: the processor resolves each path under DATA_ROOT, nothing is decoded. */
    corpus: {
        files: string[];
    };
}
/** Writes the queue-only model (a real manifest the worker loads) and the one data file under `root`. */
export declare function writeQueueOnlyFixture(root: string): Promise<QueueOnlyFixture>;
/**
 * Starts `workers` queue-only worker processes with `env` (REDIS_URL or REDIS_CLUSTER_NODES,
 * QUEUE_SHARDS, HOURGLASS_PREFIX, MODELS_DIR, DATA_ROOT...), resolving once every one is ready;
 * their warnings and errors go to `say`. If one fails to start, the others are stopped.
 */
export declare function startQueueOnlyFleet(workers: number, env: NodeJS.ProcessEnv, say: (line: string) => void): Promise<SpawnedWorker[]>;
export declare function stopQueueOnlyFleet(fleet: readonly SpawnedWorker[]): Promise<void>;
/**
 * Redis CPU µs per second each server spends over `ms` (cron, cluster gossip, an idle fleet's
 * heartbeats and stall checks): paid per second, not per image. 0 where INFO cpu is not readable.
 */
export declare function idleRedisCpuUsPerSecond(nodes: readonly Redis[], ms: number): Promise<number[]>;
//# sourceMappingURL=queue-only-fleet.d.ts.map