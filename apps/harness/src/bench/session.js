/**
 * What one bench run holds open: the data root, Redis (spawned for the run unless REDIS_URL is
 * set), its key prefix, the workers draining right now, Ctrl-C handling, and the cleanup at the end.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { Keys, createRedis, forgetBatch, realDataRoot, startRedisServer, unlinkPrefix, } from '@hourglass/core';
import { benchPaths } from './options.js';
export class BenchSession {
    options;
    env;
    out;
    modelDirs;
    dataRoot;
    redisServer;
    redisUrl;
    prefix;
    redis;
    /** The workers draining now (stopped first on Ctrl-C; their processes count as ours for CPU). */
    activeFleet;
    // Batches are forgotten at the end, not as each finishes: the worker that stored a batch's last
    // row reads its timings right after (one log line), and must find them.
    batchIds = [];
    keys;
    cleanups = [];
    constructor(options, env, 
    /** Where progress and per-run lines go. */
    out, 
    /** Folders searched for models, in order. */
    modelDirs, dataRoot, redisServer, redisUrl, prefix, redis) {
        this.options = options;
        this.env = env;
        this.out = out;
        this.modelDirs = modelDirs;
        this.dataRoot = dataRoot;
        this.redisServer = redisServer;
        this.redisUrl = redisUrl;
        this.prefix = prefix;
        this.redis = redis;
        this.keys = new Keys(prefix);
    }
    static async open(options, env) {
        const out = options.out ?? process.stderr;
        const paths = benchPaths(env);
        await mkdir(paths.dataRoot, { recursive: true });
        const dataRoot = await realDataRoot(paths.dataRoot);
        let redisServer;
        let redisUrl = env.REDIS_URL;
        if (!redisUrl) {
            redisServer = await startRedisServer();
            redisUrl = redisServer.url;
        }
        // A private prefix per run (never a flush): --external must use the workers' own prefix.
        const prefix = options.external ? (env.HOURGLASS_PREFIX ?? 'hg') : `bench-${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
        const redis = createRedis(redisUrl, 'worker');
        return new BenchSession(options, env, out, paths.modelDirs, dataRoot, redisServer, redisUrl, prefix, redis);
    }
    say(line = '') {
        void this.out.write(`${line}\n`);
    }
    /** This process, our redis-server and our workers: the CPU meter counts everything else as other programs. */
    ourPids() {
        return [process.pid, ...(this.redisServer?.process.pid ? [this.redisServer.process.pid] : []), ...(this.activeFleet?.pids() ?? [])];
    }
    /** Ctrl-C or a kill: stop our workers and our Redis, keep what was measured (checkpointed). */
    stopOnSignals() {
        const onSignal = (signal) => {
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
    async close() {
        for (const cleanup of this.cleanups)
            cleanup();
        if (this.options.external)
            for (const id of this.batchIds)
                await forgetBatch(this.redis, this.keys, id).catch(() => undefined);
        else
            await unlinkPrefix(this.redis, this.prefix).catch(() => undefined);
        await this.redis.quit().catch(() => this.redis.disconnect());
        await this.redisServer?.stop();
    }
}
//# sourceMappingURL=session.js.map