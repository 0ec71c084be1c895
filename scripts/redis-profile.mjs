#!/usr/bin/env node
/**
 * Where the queue-only drain's Redis CPU goes, per call.
 *
 *   npm run build && node scripts/redis-profile.mjs [--images 4000] [--chunks 1,256] [--workers 1]
 *     [--rounds 2] [--events-maxlen 10000,100]
 *
 * Starts a private redis-server (never the shared one) and the production queue-only worker
 * fleet (bench:queue's), then for each images-per-job setting:
 *
 * 1. Split (INFO cpu only, nothing else switched on): the batch is submitted with the queue paused,
 *    so the CPU until every job is waiting is the API's submit (batch meta + addBulk ->
 *    addStandardJob); then the queue is resumed and the rest is the workers' side (moveToActive,
 *    moveToFinished with fetch-next, the result store's Lua, heartbeats, stall checks) plus the
 *    coordinator's progress polls. Repeated `--rounds` times for each `--events-maxlen` value
 *    (written to the queue's meta hash, which BullMQ's scripts read on every call), alternating, so
 *    an A/B within one run sees the same machine.
 * 2. Attribution: SLOWLOG with a 0 µs threshold logs every top-level call with its duration and
 *    arguments; Redis 7 also logs each command a script runs (client address "?:0"), just before
 *    the script's own entry, so those are charged to the script that ran them. EVALSHA calls are
 *    named from the sha1 of BullMQ's script sources; others by their first key.
 *
 * Slowlog durations are wall time inside the command: on a loaded machine they include time the
 * Redis process was descheduled, which inflates long calls (a 256-row script) more than short
 * ones, and the slowlog itself costs CPU. Read the attribution as shares; read CPU from the split.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Keys, createClassifyQueue, createRedis } from '@hourglass/core';
import { corpusItems, drainBatch, forgetBatch } from '@hourglass/core/bench';
import { startRedisServer } from '@hourglass/core/testing';
import { QUEUE_MODEL, startQueueOnlyFleet, stopQueueOnlyFleet, writeQueueOnlyFixture } from '../apps/harness/dist/local-system/queue-only-fleet.js';

const { values: args } = parseArgs({
  options: {
    images: { type: 'string', default: '4000' },
    chunks: { type: 'string', default: '1,256' },
    workers: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '2' },
    'events-maxlen': { type: 'string', default: '10000' },
  },
});
const images = Number(args.images);
const chunks = args.chunks.split(',').map(Number);
const maxLens = args['events-maxlen'].split(',');

/** sha1 -> "bullmq:<script>", from the installed BullMQ's script sources (ioredis loads them verbatim). */
async function bullmqScriptNames() {
  const dir = path.join(path.dirname(createRequire(import.meta.url).resolve('bullmq')), '..', 'esm', 'scripts');
  const names = new Map();
  for (const file of await readdir(dir)) {
    if (!file.endsWith('.js') || file === 'index.js') continue;
    for (const script of Object.values(await import(path.join(dir, file)))) {
      if (script?.content) names.set(createHash('sha1').update(script.content).digest('hex'), `bullmq:${script.name}`);
    }
  }
  return names;
}

const generic = (key) =>
  String(key ?? '')
    .replace(/[0-9a-z]{10,}/g, '*')
    .replace(/\d+/g, 'N');
function labelOf(entry, scriptNames) {
  const [command, first, , firstKey] = entry[3].map(String);
  const name = command.toLowerCase();
  if (name === 'evalsha') return scriptNames.get(first) ?? `lua ${generic(firstKey)}`;
  return `${name} ${generic(first)}`;
}

/** Top-level calls and the commands scripts ran, from SLOWLOG entries (oldest first). */
function attribute(entries, scriptNames) {
  const top = new Map();
  const inner = new Map();
  let pending = [];
  const add = (map, key, us) => {
    const row = map.get(key) ?? { calls: 0, us: 0 };
    row.calls++;
    row.us += us;
    map.set(key, row);
  };
  for (const entry of entries) {
    if (/^(slowlog|config|info)$/i.test(String(entry[3][0]))) continue;
    if (String(entry[4]) === '?:0') {
      pending.push(entry);
      continue;
    }
    const label = labelOf(entry, scriptNames);
    add(top, label, Number(entry[2]));
    for (const ran of pending) add(inner, `${label} > ${String(ran[3][0]).toLowerCase()}`, Number(ran[2]));
    pending = [];
  }
  return { top, inner };
}

const server = await startRedisServer();
const redis = createRedis(server.url, 'worker');
const queueConnection = createRedis(server.url, 'worker');
const prefix = 'profile';
const keys = new Keys(prefix);
const queue = createClassifyQueue(QUEUE_MODEL, queueConnection, prefix);
const metaKey = `${prefix}:classify-${QUEUE_MODEL}:meta`;
const root = await mkdtemp(path.join(os.tmpdir(), 'hourglass-redis-profile-'));
const cpuSeconds = async () => [...(await redis.info('cpu')).matchAll(/used_cpu_(?:sys|user):([\d.]+)/g)].reduce((s, m) => s + Number(m[1]), 0);
const say = (line = '') => process.stdout.write(`${line}\n`);
let fleet = [];
try {
  const scriptNames = await bullmqScriptNames();
  const { modelsDir, dataRoot, model, corpus } = await writeQueueOnlyFixture(root);
  const env = {
    ...process.env,
    REDIS_URL: server.url,
    HOURGLASS_PREFIX: prefix,
    DATA_ROOT: dataRoot,
    MODELS_DIR: modelsDir,
    LOG_LEVEL: 'warn',
    HEARTBEAT_INTERVAL_MS: '1000',
  };
  fleet = await startQueueOnlyFleet(Number(args.workers), env, (line) => process.stderr.write(`${line}\n`));
  await drainBatch({ redis, keys, queue, model, items: corpusItems(corpus, 1000), chunkSize: 1 });
  const [load1] = os.loadavg();
  say(
    `# Redis CPU per image, ${new Date().toISOString()}: ${os.cpus().length} × ${os.cpus()[0]?.model}, load ${load1.toFixed(2)}, ${args.workers} worker process(es), ${images} images per drain`,
  );

  say('\n## Split (INFO cpu; submit with the queue paused, then the workers)\n');
  say('| round | events maxLen | images/job | submit µs/img | workers µs/img | total µs/img | img/s |');
  say('|---:|---:|---:|---:|---:|---:|---:|');
  for (let round = 1; round <= Number(args.rounds); round++)
    for (const maxLen of maxLens)
      for (const chunk of chunks) {
        await redis.hset(metaKey, 'opts.maxLenEvents', maxLen);
        await queue.pause();
        const jobs = Math.ceil(images / chunk);
        const c0 = await cpuSeconds();
        const drain = drainBatch({ redis, keys, queue, model, items: corpusItems(corpus, images), chunkSize: chunk, keepKeys: true });
        while ((await queue.getWaitingCount()) < jobs) await new Promise((r) => setTimeout(r, 10));
        const c1 = await cpuSeconds();
        await queue.resume();
        const done = await drain;
        const c2 = await cpuSeconds();
        const perImage = (seconds) => ((seconds * 1e6) / images).toFixed(1);
        say(
          `| ${round} | ${maxLen} | ${chunk} | ${perImage(c1 - c0)} | ${perImage(c2 - c1)} | ${perImage(c2 - c0)} | ${Math.round((images / done.wallMs) * 1000)} |`,
        );
        await forgetBatch(redis, keys, done.batchId);
      }
  await redis.hset(metaKey, 'opts.maxLenEvents', maxLens[0]);

  for (const chunk of chunks) {
    await redis.config('SET', 'slowlog-max-len', '2000000');
    await redis.config('SET', 'slowlog-log-slower-than', '0');
    await redis.slowlog('RESET');
    const c0 = await cpuSeconds();
    const done = await drainBatch({ redis, keys, queue, model, items: corpusItems(corpus, images), chunkSize: chunk, keepKeys: true });
    const c1 = await cpuSeconds();
    await redis.config('SET', 'slowlog-log-slower-than', '-1');
    const entries = (await redis.slowlog('GET', '-1')).sort((a, b) => Number(a[0]) - Number(b[0]));
    await forgetBatch(redis, keys, done.batchId);
    const { top, inner } = attribute(entries, scriptNames);
    const inCommands = [...top.values()].reduce((s, row) => s + row.us, 0);
    say(
      `\n## ${chunk} image(s) per job: where the time inside commands goes (SLOWLOG, ${done.images} images; CPU ${(((c1 - c0) * 1e6) / images).toFixed(1)} µs/img with the slowlog on, ${(inCommands / images).toFixed(1)} µs/img wall inside top-level commands)\n`,
    );
    say('| top-level call | calls/img | µs/img | µs/call | share |');
    say('|---|---:|---:|---:|---:|');
    for (const [label, row] of [...top].sort((a, b) => b[1].us - a[1].us).filter(([, row]) => row.us / inCommands >= 0.001)) {
      say(
        `| ${label} | ${(row.calls / images).toFixed(4)} | ${(row.us / images).toFixed(2)} | ${(row.us / row.calls).toFixed(1)} | ${((100 * row.us) / inCommands).toFixed(1)}% |`,
      );
    }
    say("\nCommands the scripts ran (included in their script's time above):\n");
    say('| script > command | calls/img | µs/img |');
    say('|---|---:|---:|');
    for (const [label, row] of [...inner].sort((a, b) => b[1].us - a[1].us).filter(([, row]) => row.us / inCommands >= 0.002)) {
      say(`| ${label} | ${(row.calls / images).toFixed(4)} | ${(row.us / images).toFixed(2)} |`);
    }
  }
} finally {
  await stopQueueOnlyFleet(fleet);
  await queue.close().catch(() => undefined);
  await Promise.all([redis.quit().catch(() => redis.disconnect()), queueConnection.quit().catch(() => queueConnection.disconnect())]);
  await server.stop();
  await rm(root, { recursive: true, force: true });
}
