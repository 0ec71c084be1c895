/**
 * What one bench run holds open: the data root, Redis (spawned for the run unless REDIS_URL is
 * set), its key prefix, the workers draining right now, Ctrl-C handling, and the cleanup at the end.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { Keys, createRedis, realDataRoot, type Redis } from '@hourglass/core';
import { forgetBatch, unlinkPrefix, type BenchReport, type Corpus } from '@hourglass/core/bench';
import { startRedisServer, type RedisServerHandle } from '@hourglass/core/testing';
import type { Fleet } from './fleet.js';
import { harnessEnv } from '../env.js';
import { benchPaths, type BenchOptions } from './options.js';

export class BenchSession {
  /** The workers draining now (stopped first on Ctrl-C; their processes count as ours for CPU). */
  activeFleet: Fleet | undefined;
  // Batches are forgotten at the end, not as each finishes: the worker that stored a batch's last
  // row reads its timings right after (one log line), and must find them.
  readonly batchIds: string[] = [];
  readonly keys: Keys;
  private readonly cleanups: Array<() => void> = [];

  private constructor(
    readonly options: BenchOptions,
    readonly env: NodeJS.ProcessEnv,
    /** Where progress and per-run lines go. */
    readonly out: NodeJS.WriteStream,
    /** Folders searched for models, in order. */
    readonly modelDirs: string[],
    readonly dataRoot: string,
    readonly redisServer: RedisServerHandle | undefined,
    readonly redisUrl: string,
    readonly prefix: string,
    readonly redis: Redis,
  ) {
    this.keys = new Keys(prefix);
  }

  static async open(options: BenchOptions, env: NodeJS.ProcessEnv): Promise<BenchSession> {
    const out = options.out ?? process.stderr;
    const paths = benchPaths(env);
    await mkdir(paths.dataRoot, { recursive: true });
    const dataRoot = await realDataRoot(paths.dataRoot);

    let redisServer: RedisServerHandle | undefined;
    let redisUrl = harnessEnv(env).REDIS_URL;
    if (!redisUrl) {
      redisServer = await startRedisServer();
      redisUrl = redisServer.url;
    }
    // A private prefix per run (never a flush): --external must use the workers' own prefix.
    const prefix = options.external ? harnessEnv(env).HOURGLASS_PREFIX : `bench-${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
    const redis = createRedis(redisUrl, 'worker');
    return new BenchSession(options, env, out, paths.modelDirs, dataRoot, redisServer, redisUrl, prefix, redis);
  }

  say(line = ''): void {
    void this.out.write(`${line}\n`);
  }

  /** This process, our redis-server and our workers: the CPU meter counts everything else as other programs. */
  ourPids(): number[] {
    return [process.pid, ...(this.redisServer?.process.pid ? [this.redisServer.process.pid] : []), ...(this.activeFleet?.pids() ?? [])];
  }

  /** Ctrl-C or a kill: stop our workers and our Redis, keep what was measured (checkpointed). */
  stopOnSignals(): void {
    const onSignal = (signal: NodeJS.Signals): void => {
      this.say(`\n${signal}: stopping workers${this.redisServer ? ' and redis-server' : ''}; results so far are in ${this.options.outDir ?? '(nothing written)'}`);
      // Workers first (they drain their in-flight jobs through Redis), then Redis.
      void Promise.resolve(this.activeFleet?.stop())
        .catch(() => undefined)
        .then(() => this.redisServer?.stop())
        .finally(() => process.exit(130));
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    this.cleanups.push(() => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    });
  }

  /** Forgets our batches (--external) or our whole prefix, then closes Redis and stops the one we spawned. */
  async close(): Promise<void> {
    for (const cleanup of this.cleanups) cleanup();
    if (this.options.external) for (const id of this.batchIds) await forgetBatch(this.redis, this.keys, id).catch(() => undefined);
    else await unlinkPrefix(this.redis, this.prefix).catch(() => undefined);
    await this.redis.quit().catch(() => this.redis.disconnect());
    await this.redisServer?.stop();
  }
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
