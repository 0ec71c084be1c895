#!/usr/bin/env node
/**
 * The compose scenario, against a running engine (DOCKER_HOST) and images already built:
 * 2 mobilenet-v2 replicas -> scale to 3 (the new replica's heartbeat shows in GET /v1/models)
 * -> a batch of photos -> `docker kill` one replica mid-batch -> every index audited (one row each,
 * none lost) -> a second batch of the same photos -> `docker stop` another mid-batch (exit 0,
 * "drained") -> audited, and every label equal to the first batch's -> Bull Board auth -> down -v.
 * Run by scripts/compose/test-compose.sh, which owns the engine and tears it all down.
 *
 *   node scripts/compose/smoke.mjs --project NAME [--images N]
 * Env: HOURGLASS_API_KEYS, HOURGLASS_ADMIN_KEYS (one key each), HOURGLASS_COMPOSE_CACHE.
 */
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import path from 'node:path';
import { auditRows } from '@hourglass/core';
import { ensureCorpus } from '@hourglass/core/bench';
import { ensurePhotos } from './photos.mjs';

const { values } = parseArgs({ options: { project: { type: 'string' }, images: { type: 'string', default: '400' } } });
const project = values.project ?? 'hgsmoke';
const imageCount = Number(values.images);
const cache = process.env.HOURGLASS_COMPOSE_CACHE || '/var/cache/hourglass-compose';
const userKey = process.env.HOURGLASS_API_KEYS ?? '';
const adminKey = process.env.HOURGLASS_ADMIN_KEYS ?? '';
const WORKER = 'worker-mobilenet-v2';
const MODEL = 'mobilenet-v2';
const t0 = Date.now();

const say = (msg) => console.log(`[smoke +${((Date.now() - t0) / 1000).toFixed(0)}s] ${msg}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...opts }).trim();
const compose = (...args) => run('docker-compose', ['-p', project, ...args]);
const docker = (...args) => run('docker', args);
function check(ok, what) {
  if (!ok) throw new Error(`FAILED: ${what}`);
  say(`ok: ${what}`);
}
/** What a failing run needs to be read: each container's state and its last log lines. */
function dumpLogs() {
  try {
    console.log(compose('ps'));
    console.log(execFileSync('docker-compose', ['-p', project, 'logs', '--no-color', '--tail', '40'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
  } catch (error) {
    console.log(`(could not read the containers' logs: ${error.message})`);
  }
}
async function until(what, fn, timeoutMs) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) {
      dumpLogs();
      throw new Error(`timed out after ${timeoutMs / 1000} s: ${what}`);
    }
    await sleep(1000);
  }
}

const containersOf = (service, all = false) =>
  docker(
    'ps',
    ...(all ? ['-a'] : []),
    '-q',
    '--no-trunc',
    '--filter',
    `label=com.docker.compose.project=${project}`,
    '--filter',
    `label=com.docker.compose.service=${service}`,
  )
    .split('\n')
    .filter(Boolean);

// The API, published on a loopback port of the host only (HOURGLASS_API_PUBLISH).
const apiPort = Number(/:(\d+)$/.exec(process.env.HOURGLASS_API_PUBLISH ?? '')?.[1] ?? 3000);
// Every request has a deadline: a connection the port's docker-proxy accepted for a container that is
// not listening yet can stall without ever answering. (Node's fetch holds no ref'd handle while it
// stalls, so with nothing else pending the script would end with exit 13, "unsettled top-level
// await", instead of retrying: `alive` below keeps the loop running until the scenario ends.)
const api = async (pathname, { key = userKey, ...init } = {}) =>
  fetch(`http://127.0.0.1:${apiPort}${pathname}`, {
    signal: AbortSignal.timeout(15_000),
    ...init,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...init.headers },
  });
const alive = setInterval(() => {}, 60_000);
const json = async (pathname, init) => {
  const r = await api(pathname, init);
  if (!r.ok) throw new Error(`${pathname}: HTTP ${r.status} ${await r.text()}`);
  return r.json();
};
const workersOf = async () => (await json('/v1/models')).models.find((m) => m.name === MODEL)?.workers ?? [];

async function submit(files, name) {
  const body = { model: MODEL, chunkSize: 4, images: files.map((p) => ({ path: p })) };
  const view = await json('/v1/batches', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': `${project}-${name}` },
    body: JSON.stringify(body),
  });
  say(`batch ${name}: ${view.id}, ${view.total} images`);
  return view.id;
}
const progress = async (id) => {
  const view = await json(`/v1/batches/${id}`);
  return { ...view, done: view.counts.completed + view.counts.failed };
};
async function waitDone(id, timeoutMs) {
  return until(`batch ${id} completed`, async () => ((await progress(id)).status === 'completed' ? progress(id) : undefined), timeoutMs);
}
async function rowsOf(id) {
  const text = await (await api(`/v1/batches/${id}/results`)).text();
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}
function audit(rows, total, expected) {
  const a = auditRows(rows, expected ?? Array.from({ length: total }, (_, i) => rows.find((r) => r.index === i)?.label ?? ''));
  say(`audit: ${JSON.stringify(a)}`);
  check(a.total === total && a.rows === total && a.distinct === total, `${total} rows, exactly one per index`);
  check(a.lost === 0 && a.duplicates === 0 && a.failed === 0, 'none lost, none duplicated, none failed');
  return a;
}

// ---- images: real photos into the data volume --------------------------------------------------
const photoDirs = await ensurePhotos(path.join(cache, 'photos'));
const corpus = await ensureCorpus({ dataRoot: path.join(cache, 'corpus'), count: imageCount, seed: 7, photoDirs });
say(`corpus: ${corpus.files.length} JPEGs (${corpus.kind}${corpus.kind === 'photos' ? ` from ${corpus.sources.length} photos` : ''}) in ${corpus.dir}`);

// ---- up with 2 replicas ---------------------------------------------------------------------------
say('up: redis, api, models import, 2 x ' + WORKER);
compose('up', '-d', '--scale', `${WORKER}=2`, 'redis', 'api', WORKER);
check(docker('inspect', '-f', '{{.State.ExitCode}}', containersOf('models', true)[0]) === '0', 'the models import exited 0');
await until('api healthy', async () => (await api('/healthz', { key: '' })).ok, 120_000);
await until('2 worker heartbeats', async () => (await workersOf()).length === 2, 180_000);
check((await workersOf()).length === 2, 'GET /v1/models lists 2 live workers');

// The photos go where the workers read them: the data volume, through the api container.
const apiContainer = containersOf('api')[0];
// (`docker cp`, which both Compose versions' users have; `docker compose cp` is v2 only.)
docker('cp', path.dirname(corpus.dir), `${apiContainer}:/data/`);

// ---- scale to 3, then batch A with a docker kill of one replica -----------------------------------
// The kill follows the batch's first rows at once: waiting for anything else first (the new
// replica's heartbeat) can let a fast machine finish all 400 before it.
const before = new Set(containersOf(WORKER));
compose('up', '-d', '--no-deps', '--no-recreate', '--scale', `${WORKER}=3`, WORKER);
const added = containersOf(WORKER).filter((c) => !before.has(c));
check(added.length === 1, 'scaling to 3 started one new container');
const addedHost = docker('inspect', '-f', '{{.Config.Hostname}}', added[0]);
await until('the new replica heartbeats', async () => (await workersOf()).some((w) => w.host === addedHost), 180_000);
check((await workersOf()).length === 3, `the new replica (${addedHost}) joined: GET /v1/models lists 3 live workers`);
const a = await submit(corpus.files, `a-${Date.now()}`);
await until('batch A under way', async () => (await progress(a)).done >= 8, 180_000);
const victim = [...before][0];
docker('kill', victim);
const doneAtKill = (await progress(a)).done;
say(`docker kill ${victim.slice(0, 12)} at ${doneAtKill}/${imageCount} done (read just after the kill)`);
check(doneAtKill < imageCount, 'the kill came mid-batch');
const viewA = await waitDone(a, 600_000);
say(`batch A completed: ${JSON.stringify(viewA.counts)}`);
const rowsA = await rowsOf(a);
audit(rowsA, imageCount);

// ---- batch B: docker stop one replica mid-batch ------------------------------------------------
const b = await submit(corpus.files, `b-${Date.now()}`);
await until('batch B under way', async () => (await progress(b)).done >= 8, 180_000);
const running = containersOf(WORKER).filter((c) => c !== victim);
const stopped = running[0];
const doneAtStop = (await progress(b)).done;
say(`docker stop ${stopped.slice(0, 12)} at ${doneAtStop}/${imageCount} done`);
docker('stop', '-t', '45', stopped);
check(doneAtStop < imageCount, 'the stop came mid-batch');
check(docker('inspect', '-f', '{{.State.ExitCode}}', stopped) === '0', 'the stopped worker exited 0');
const logs = execFileSync('docker', ['logs', '--tail', '30', stopped], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const stopLine = logs.split('\n').find((l) => l.includes('worker stopped'));
check(stopLine !== undefined && /"drained":true/.test(stopLine), `it drained before exiting (${stopLine?.slice(0, 160)})`);
const viewB = await waitDone(b, 600_000);
say(`batch B completed: ${JSON.stringify(viewB.counts)}`);
const expected = Array.from({ length: imageCount }, (_, i) => rowsA.find((r) => r.index === i)?.label ?? '');
const auditB = audit(await rowsOf(b), imageCount, expected);
check(auditB.wrongLabels === 0, "every label equals batch A's for the same photo (replicas agree)");

// ---- Bull Board auth -----------------------------------------------------------------------------
const board = async (key) => (await api('/admin/queues', { key, redirect: 'manual' })).status;
check((await board('')) === 401, 'Bull Board without a key: 401');
check((await board('not-a-key-0123456789abcdef')) === 401, 'Bull Board with an unknown key: 401');
check((await board(adminKey)) === 200 && (await board(userKey)) === 403, 'Bull Board with an admin key: 200; with a tenant key: 403');

// ---- down -v -------------------------------------------------------------------------------------
compose('down', '-v', '--remove-orphans', '-t', '45');
const leftContainers = docker('ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`);
const leftVolumes = docker('volume', 'ls', '-q', '--filter', `label=com.docker.compose.project=${project}`);
check(leftContainers === '' && leftVolumes === '', 'down -v left no container and no volume');
say('scenario passed');
clearInterval(alive);
