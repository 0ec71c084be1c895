import { Keys, type BenchReport, type Corpus, type Redis, type RedisServerHandle } from '@hourglass/core';
import type { Fleet } from './fleet.js';
import { type BenchOptions } from './options.js';
export declare class BenchSession {
    readonly options: BenchOptions;
    readonly env: NodeJS.ProcessEnv;
    /** Where progress and per-run lines go. */
    readonly out: NodeJS.WriteStream;
    /** Folders searched for models, in order. */
    readonly modelDirs: string[];
    readonly dataRoot: string;
    readonly redisServer: RedisServerHandle | undefined;
    readonly redisUrl: string;
    readonly prefix: string;
    readonly redis: Redis;
    /** The workers draining now (stopped first on Ctrl-C; their processes count as ours for CPU). */
    activeFleet: Fleet | undefined;
    readonly batchIds: string[];
    readonly keys: Keys;
    private readonly cleanups;
    private constructor();
    static open(options: BenchOptions, env: NodeJS.ProcessEnv): Promise<BenchSession>;
    say(line?: string): void;
    /** This process, our redis-server and our workers: the CPU meter counts everything else as other programs. */
    ourPids(): number[];
    /** Ctrl-C or a kill: stop our workers and our Redis, keep what was measured (checkpointed). */
    stopOnSignals(): void;
    /** Forgets our batches (--external) or our whole prefix, then closes Redis and stops the one we spawned. */
    close(): Promise<void>;
}
/** What the per-model steps of one run share. */
export interface BenchRun {
    session: BenchSession;
    corpus: Corpus;
    /** The report being filled in, model by model. */
    report: BenchReport;
    /** Writes what has been measured so far: a long run stopped half way still leaves its results. */
    checkpoint: () => Promise<void>;
}
//# sourceMappingURL=session.d.ts.map