export declare const BENCH_QUEUE_USAGE = "  bench-queue [--images 20000] [--chunks 1,4,16,64,256,auto] [--workers 1,2,4] [--redis-url URL] [--out DIR] [--no-write]\n                                             queue-only ceiling: img/s and Redis CPU per image, no decode or inference\n";
export declare function parseChunkList(value: string): Array<number | 'auto'>;
export declare function benchQueueCommand(args: string[], env?: NodeJS.ProcessEnv): Promise<number>;
//# sourceMappingURL=queue-command.d.ts.map