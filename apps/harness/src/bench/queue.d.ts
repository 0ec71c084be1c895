import { type QueueBenchReport } from '@hourglass/core';
export interface QueueBenchOptions {
    images: number;
    /** Images per job, or 'auto' (the API's default policy, from the queue-only workers' heartbeats). */
    chunks: Array<number | 'auto'>;
    workers: number[];
    /** An existing Redis (default: REDIS_URL, else a private redis-server). */
    redisUrl?: string;
    command: string;
    out?: NodeJS.WriteStream;
}
export declare function runQueueBench(options: QueueBenchOptions, env?: NodeJS.ProcessEnv): Promise<QueueBenchReport>;
//# sourceMappingURL=queue.d.ts.map