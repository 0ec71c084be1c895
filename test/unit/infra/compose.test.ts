/**
 * Static checks of docker-compose.yml: the file is parsed and its invariants asserted, so that
 * what `docker compose up` would only reveal at run time (a worker that cannot scale, a Redis that
 * evicts BullMQ keys, an env name no app reads, threads that oversubscribe the cores) fails fast.
 * `npm run test:compose` (scripts/compose/) runs the stack for real on a Docker engine. Where a
 * Compose CLI (v1 `docker-compose` or v2 `docker compose`) exists, it validates the file too
 * (parsing needs no engine).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { classifyQueueName, commonEnvSchema, inferenceLayoutOf, knownEnvNames, workerEnvSchema } from '@hourglass/core/testing';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const composePath = path.join(root, 'docker-compose.yml');

/** Models that exist once `npm run models:import` ran (bundled CNNs) plus the generated test model. */
const KNOWN_MODELS = ['mobilenet-v2', 'mobilenet-v2-mid', 'inception-v3', 'colours'] as const;
/** Models the compose file must serve with CPU workers. */
const SERVED_MODELS = ['mobilenet-v2', 'inception-v3'] as const;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = Record<string, Json>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Compose's variable interpolation (the subset that matters: $$, $NAME, ${NAME}, ${NAME:-d},
 * ${NAME-d}, ${NAME:?err}, ${NAME?err}, ${NAME:+alt}, ${NAME+alt}). Throws like compose does for
 * a required variable that is unset, and for a `$` that starts no valid reference.
 */
function interpolate(s: string, env: Record<string, string | undefined>): string {
  return s.replace(/\$(\$|\{([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*)|)/g, (whole, _g1, braced?: string, named?: string) => {
    if (whole === '$$') return '$';
    if (named !== undefined) return env[named] ?? '';
    if (braced === undefined) throw new Error(`invalid interpolation template in ${JSON.stringify(s)}`);
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])(.*))?$/s.exec(braced);
    if (!m) throw new Error(`invalid interpolation template \${${braced}}`);
    const [, name = '', op, arg = ''] = m;
    const value = env[name];
    const unsetOrEmpty = value === undefined || value === '';
    switch (op) {
      case undefined:
        return value ?? '';
      case ':-':
        return unsetOrEmpty ? arg : value;
      case '-':
        return value === undefined ? arg : value;
      case ':?':
        if (unsetOrEmpty) throw new Error(`required variable ${name} is missing a value: ${arg}`);
        return value;
      case '?':
        if (value === undefined) throw new Error(`required variable ${name} is missing a value: ${arg}`);
        return value;
      case ':+':
        return unsetOrEmpty ? '' : arg;
      case '+':
        return value === undefined ? '' : arg;
      default:
        throw new Error(`unsupported interpolation operator ${op}`);
    }
  });
}

function interpolateTree(v: Json, env: Record<string, string | undefined>): Json {
  if (typeof v === 'string') return interpolate(v, env);
  if (Array.isArray(v)) return v.map((x) => interpolateTree(x, env));
  if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, interpolateTree(x, env)]));
  return v;
}

/** The compose file as compose sees it: YAML merge keys (`<<`) resolved, then interpolated. */
function loadCompose(env: Record<string, string | undefined>): Obj {
  const raw = parse(readFileSync(composePath, 'utf8'), { merge: true }) as Json;
  if (!isObj(raw)) throw new Error('docker-compose.yml is not a mapping');
  const interpolated = interpolateTree(raw, env);
  if (!isObj(interpolated)) throw new Error('unreachable');
  return interpolated;
}

/** The raw (uninterpolated) tree, merge keys resolved. */
const rawCompose = (): Obj => parse(readFileSync(composePath, 'utf8'), { merge: true }) as Obj;

const TEST_ENV = { HOURGLASS_API_KEYS: 'test-key-1,test-key-2' };
/**
 * Environment names the compose file passes to the API before the config schema reads them:
 * HOURGLASS_ADMIN_KEYS (admin-only Bull Board) is wired here ahead of the auth change that reads
 * it. Only while knownEnvNames lacks a name does this list excuse it.
 */
const PASSED_AHEAD_OF_CONFIG = ['HOURGLASS_ADMIN_KEYS'];
/** The smallest host the file's defaults must start on: CI's 2 cores. */
const SMALLEST_HOST_CPUS = 2;
const compose = loadCompose(TEST_ENV);
const services = compose.services as Record<string, Obj>;
const topVolumes = (isObj(compose.volumes) ? compose.volumes : {}) as Obj;

/** environment: as a map, whichever form (map or KEY=VALUE list) the file uses. */
function envOf(svc: Obj): Record<string, string> {
  const e = svc.environment;
  if (e === undefined || e === null) return {};
  if (Array.isArray(e)) {
    return Object.fromEntries(
      e.map((item) => {
        const s = String(item);
        const i = s.indexOf('=');
        return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + 1)];
      }),
    );
  }
  if (isObj(e)) return Object.fromEntries(Object.entries(e).map(([k, v]) => [k, v === null ? '' : String(v)]));
  throw new Error('environment is neither a list nor a map');
}

interface Mount {
  type: 'volume' | 'bind';
  source: string;
  target: string;
  readOnly: boolean;
}

function mountsOf(svc: Obj): Mount[] {
  const vols = svc.volumes;
  if (!Array.isArray(vols)) return [];
  return vols.map((v): Mount => {
    if (typeof v === 'string') {
      const parts = v.split(':');
      const [source = '', target = '', mode = ''] = parts.length === 1 ? ['', parts[0], ''] : parts;
      const bind = source.startsWith('.') || source.startsWith('/') || source.startsWith('~');
      return { type: bind ? 'bind' : 'volume', source, target, readOnly: mode.split(',').includes('ro') };
    }
    if (isObj(v)) {
      return {
        type: v.type === 'bind' ? 'bind' : 'volume',
        source: String(v.source ?? ''),
        target: String(v.target ?? ''),
        readOnly: v.read_only === true,
      };
    }
    throw new Error(`unreadable volume entry ${JSON.stringify(v)}`);
  });
}

/** Go durations as compose writes them: 45s, 1m30s, 1h, 500ms. */
function durationMs(d: Json | undefined): number {
  if (typeof d === 'number') return d / 1e6; // a bare number is nanoseconds
  if (typeof d !== 'string' || d.length === 0) return NaN;
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1e3, m: 60e3, h: 3600e3 };
  let total = 0;
  let consumed = '';
  for (const m of d.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(m[1]) * (units[m[2] ?? ''] ?? NaN);
    consumed += m[0];
  }
  return consumed === d ? total : NaN;
}

/** A service's CPU limit: `cpus` or deploy.resources.limits.cpus. */
function cpuLimit(svc: Obj): number | undefined {
  const deploy = isObj(svc.deploy) ? svc.deploy : {};
  const resources = isObj(deploy.resources) ? deploy.resources : {};
  const limits = isObj(resources.limits) ? resources.limits : {};
  const v = limits.cpus ?? svc.cpus;
  return v === undefined || v === null ? undefined : Number(v);
}

function dependsOn(svc: Obj): Record<string, string> {
  const d = svc.depends_on;
  if (Array.isArray(d)) return Object.fromEntries(d.map((n) => [String(n), 'service_started']));
  if (isObj(d)) {
    return Object.fromEntries(Object.entries(d).map(([n, v]) => [n, isObj(v) && typeof v.condition === 'string' ? v.condition : 'service_started']));
  }
  return {};
}

const build = (svc: Obj): Obj | undefined => (isObj(svc.build) ? svc.build : undefined);
const profiles = (svc: Obj): string[] => (Array.isArray(svc.profiles) ? svc.profiles.map(String) : []);
const healthTest = (svc: Obj): string => {
  const hc = isObj(svc.healthcheck) ? svc.healthcheck : undefined;
  if (!hc || hc.disable === true) return '';
  return Array.isArray(hc.test) ? hc.test.map(String).join(' ') : String(hc.test ?? '');
};
const commandOf = (svc: Obj): string[] =>
  Array.isArray(svc.command) ? svc.command.map(String) : typeof svc.command === 'string' ? svc.command.split(/\s+/) : [];

/** Services built from this repo's Dockerfiles: they run our code, so they read our env names. */
const ownServices = Object.entries(services).filter(([, s]) => build(s) !== undefined);
/** Worker services: built from a worker target. */
const workerServices = ownServices.filter(([, s]) => String(build(s)?.target ?? '').startsWith('worker'));
const cpuWorkers = workerServices.filter(([, s]) => (envOf(s).ORT_EP ?? 'cpu') === 'cpu');

const workerDefaults = workerEnvSchema.parse({});
const commonDefaults = commonEnvSchema.parse({});

describe('docker-compose.yml: parsing and interpolation', () => {
  it('parses, and has the services the deployment needs', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['redis', 'api', 'models', 'worker-gpu', 'bench']));
  });

  it('has no top-level key Compose v1 rejects (name:, which v1.29 predates): only services, volumes, networks, x-*', () => {
    for (const key of Object.keys(rawCompose())) expect(['services', 'volumes', 'networks'].includes(key) || key.startsWith('x-'), key).toBe(true);
  });

  it('every built service takes NPM_REGISTRY and APT_MIRROR build args, empty unless set', () => {
    for (const [name, svc] of ownServices) {
      const args = build(svc)!.args as Obj | undefined;
      expect(args, name).toBeDefined();
      expect(args!.NPM_REGISTRY, name).toBe('');
      expect(args!.APT_MIRROR, name).toBe('');
    }
    const mirrored = loadCompose({ ...TEST_ENV, NPM_REGISTRY: 'http://npm.example:4873/', APT_MIRROR: 'http://apt.example/debian' });
    const api = build((mirrored.services as Record<string, Obj>).api!)!.args as Obj;
    expect(api).toEqual({ NPM_REGISTRY: 'http://npm.example:4873/', APT_MIRROR: 'http://apt.example/debian' });
  });

  it(`every CPU limit, at its default, fits a ${SMALLEST_HOST_CPUS}-core host (else the container cannot be created)`, () => {
    for (const [name, svc] of Object.entries(services)) {
      const cpus = cpuLimit(svc);
      if (cpus !== undefined) expect(cpus, name).toBeLessThanOrEqual(SMALLEST_HOST_CPUS);
    }
    const big = loadCompose({ ...TEST_ENV, HOURGLASS_GPU_WORKER_CPUS: '8' });
    expect(cpuLimit((big.services as Record<string, Obj>)['worker-gpu']!)).toBe(8);
  });

  it('publishes the API where HOURGLASS_API_PUBLISH says (default: port 3000)', () => {
    expect((services.api!.ports as string[])[0]).toBe('3000:3000');
    const local = loadCompose({ ...TEST_ENV, HOURGLASS_API_PUBLISH: '127.0.0.1:18080' });
    expect(((local.services as Record<string, Obj>).api!.ports as string[])[0]).toBe('127.0.0.1:18080:3000');
  });

  const clis = [
    { name: 'docker-compose (v1)', cmd: 'docker-compose', args: [] as string[] },
    { name: 'docker compose (v2)', cmd: 'docker', args: ['compose'] },
  ].filter((c) => spawnSync(c.cmd, [...c.args, 'version'], { encoding: 'utf8' }).status === 0);
  it.each(clis.map((c) => [c.name, c] as const))(
    '%s accepts the file (config -q; needs no engine)',
    (_n, c) => {
      for (const profile of [[], ['--profile', 'gpu', '--profile', 'bench', '--profile', 'monitoring']]) {
        const cmdArgs = [...c.args, '-f', composePath, ...(c.cmd === 'docker' ? profile : []), 'config', '-q'];
        const r = spawnSync(c.cmd, cmdArgs, { encoding: 'utf8', env: { ...process.env, ...TEST_ENV }, cwd: root });
        expect(r.status, `${c.cmd} ${cmdArgs.join(' ')}: ${r.stderr}`).toBe(0);
      }
    },
    120_000,
  );

  it('refuses to start without HOURGLASS_API_KEYS, with a message that says what to set', () => {
    const raw = envOf((rawCompose().services as Record<string, Obj>).api ?? {});
    expect(raw.HOURGLASS_API_KEYS).toMatch(/^\$\{HOURGLASS_API_KEYS:\?.+\}$/);
    expect(() => loadCompose({})).toThrow(/HOURGLASS_API_KEYS/);
    expect(() => loadCompose({ HOURGLASS_API_KEYS: '' })).toThrow(/HOURGLASS_API_KEYS/);
    expect(envOf(services.api ?? {}).HOURGLASS_API_KEYS).toBe(TEST_ENV.HOURGLASS_API_KEYS);
  });

  it('every service built here names a Dockerfile and a target stage that exist', () => {
    for (const [name, svc] of ownServices) {
      const b = build(svc)!;
      const dockerfile = path.join(root, String(b.context ?? '.'), String(b.dockerfile ?? 'Dockerfile'));
      expect(existsSync(dockerfile), `${name}: ${dockerfile}`).toBe(true);
      const stages = [...readFileSync(dockerfile, 'utf8').matchAll(/^FROM\s+\S+\s+AS\s+(\S+)/gim)].map((m) => m[1]);
      expect(stages, `${name}: target ${String(b.target)}`).toContain(String(b.target));
      expect(String(b.context ?? '.'), `${name}: build context is the repo root`).toBe('.');
    }
  });

  it('images from registries are pinned to a version tag', () => {
    for (const [name, svc] of Object.entries(services)) {
      if (build(svc) !== undefined) continue;
      const image = String(svc.image ?? '');
      expect(image, name).toMatch(/^[a-z0-9./-]+:v?\d[\w.-]*$/);
    }
  });
});

describe('docker-compose.yml: redis', () => {
  const redis = services.redis ?? {};

  it('runs Redis 7.x', () => {
    expect(String(redis.image)).toMatch(/^redis:7(\.\d+)*(-[\w.]+)?$/);
  });

  it('loads the mounted redis.conf, which keeps data (AOF every second) and never evicts', () => {
    const confMount = mountsOf(redis).find((m) => m.type === 'bind' && m.source.endsWith('redis.conf'));
    expect(confMount, 'redis.conf bind mount').toBeDefined();
    expect(confMount!.readOnly).toBe(true);
    expect(commandOf(redis)).toContain(confMount!.target);
    const confPath = path.join(root, confMount!.source);
    expect(confPath).toBe(path.join(root, 'infra/redis/redis.conf'));
    const conf = parseRedisConf(readFileSync(confPath, 'utf8'));
    expect(conf.get('appendonly')).toBe('yes');
    expect(conf.get('appendfsync')).toBe('everysec');
    expect(conf.get('maxmemory-policy')).toBe('noeviction');
    // The AOF lands in `dir`, which must be a named volume, or `docker compose down` loses it.
    const dir = conf.get('dir') ?? '/data';
    const dataMount = mountsOf(redis).find((m) => m.target === dir);
    expect(dataMount?.type, `volume at ${dir}`).toBe('volume');
    expect(Object.keys(topVolumes)).toContain(dataMount!.source);
  });

  it('has a redis-cli ping health check, and is not published on the host', () => {
    expect(healthTest(redis)).toMatch(/redis-cli.*ping/);
    expect(redis.ports).toBeUndefined();
  });

  it('is where REDIS_URL points for every service that sets it', () => {
    for (const [name, svc] of ownServices) {
      const url = envOf(svc).REDIS_URL;
      if (url === undefined) continue;
      expect(new URL(url).hostname, name).toBe('redis');
      expect(new URL(url).port || '6379', name).toBe('6379');
    }
  });
});

describe('docker-compose.yml: api', () => {
  const api = services.api ?? {};
  const env = envOf(api);

  it('is built from the api target and publishes its PORT', () => {
    expect(build(api)?.target).toBe('api');
    const port = env.PORT ?? '3000';
    const ports = (Array.isArray(api.ports) ? api.ports : []).map(String);
    expect(ports.some((p) => p.endsWith(`:${port}`) || p === port)).toBe(true);
  });

  it('has a health check on /healthz that uses node (slim images have no curl)', () => {
    const test = healthTest(api);
    expect(test).toContain(`:${env.PORT ?? '3000'}/healthz`);
    expect(test).toMatch(/^CMD node /);
    expect(test).not.toMatch(/\b(curl|wget)\b/);
  });

  it('starts after Redis is healthy', () => {
    expect(dependsOn(api).redis).toBe('service_healthy');
  });
});

describe('docker-compose.yml: workers', () => {
  it('serves mobilenet-v2 and inception-v3 with CPU workers that start by default', () => {
    const served = cpuWorkers.filter(([, s]) => profiles(s).length === 0).map(([, s]) => envOf(s).MODEL);
    expect(served).toEqual(expect.arrayContaining([...SERVED_MODELS]));
  });

  it.each(workerServices.map(([n]) => n))('%s can be scaled: no container_name, no host ports', (name) => {
    const svc = services[name]!;
    expect(svc.container_name).toBeUndefined();
    expect(svc.ports).toBeUndefined();
    // A fixed hostname would give every replica the same name.
    expect(svc.hostname).toBeUndefined();
  });

  it.each(workerServices.map(([n]) => n))('%s serves a known model', (name) => {
    const model = envOf(services[name]!).MODEL;
    expect(KNOWN_MODELS as readonly string[]).toContain(model);
    // The queue the worker consumes is classify-<model>; the bench and KEDA rely on that name.
    expect(classifyQueueName(model!)).toBe(`classify-${model}`);
  });

  it.each(workerServices.map(([n]) => n))('%s stops more slowly than its shutdown grace', (name) => {
    const svc = services[name]!;
    const graceMs = Number(envOf(svc).SHUTDOWN_GRACE_MS ?? workerDefaults.SHUTDOWN_GRACE_MS);
    const stopMs = durationMs(svc.stop_grace_period);
    expect(stopMs, `stop_grace_period ${String(svc.stop_grace_period)}`).toBeGreaterThan(graceMs);
  });

  it.each(workerServices.map(([n]) => n))('%s: sessions x intra-op threads x 1 process fill its CPU limit, whatever cores node sees', (name) => {
    const svc = services[name]!;
    const cpus = cpuLimit(svc);
    expect(cpus, 'a CPU limit (cpus or deploy.resources.limits.cpus)').toBeGreaterThan(0);
    const config = workerEnvSchema.parse(envOf(svc));
    // Inside a container node sees the host's cores, not the limit: the layout must not follow them.
    const [onSmallHost, onLargeHost] = [2, 64].map((seen) => inferenceLayoutOf(config, seen));
    expect(onLargeHost, 'the same layout on a 2-core and a 64-core host (set CPU_CORES)').toEqual(onSmallHost);
    const used = onSmallHost!.sessions * onSmallHost!.intraOpThreads;
    expect(used).toBeLessThanOrEqual(cpus!);
    // CPU inference: processes x sessions x threads = cores, so exactly the limit (whole cores).
    if (config.ORT_EP === 'cpu') expect(used).toBe(Math.floor(cpus!));
  });

  it.each(workerServices.map(([n]) => n))('%s waits for Redis and the models, and checks its own health', (name) => {
    const svc = services[name]!;
    expect(dependsOn(svc).redis).toBe('service_healthy');
    expect(dependsOn(svc).models).toBe('service_completed_successfully');
    const port = envOf(svc).WORKER_HTTP_PORT;
    expect(port, 'WORKER_HTTP_PORT (health and metrics)').toMatch(/^[1-9]\d*$/);
    expect(healthTest(svc)).toContain(`:${port}/healthz`);
  });

  it('the GPU worker is behind the gpu profile with an NVIDIA device reservation', () => {
    const gpu = services['worker-gpu'] ?? {};
    expect(profiles(gpu)).toEqual(['gpu']);
    const devices = (((gpu.deploy as Obj).resources as Obj).reservations as Obj).devices as Obj[];
    expect(devices).toEqual(expect.arrayContaining([expect.objectContaining({ driver: 'nvidia', capabilities: expect.arrayContaining(['gpu']) })]));
    expect(['webgpu', 'cuda']).toContain(envOf(gpu).ORT_EP);
    expect(build(gpu)?.dockerfile).toBe('infra/Dockerfile.gpu');
    expect(String(build(gpu)?.target)).toBe(envOf(gpu).ORT_EP === 'cuda' ? 'worker-cuda' : 'worker-webgpu');
  });
});

describe('docker-compose.yml: models, bench, volumes, env names', () => {
  it('the models service imports into the models volume, once, from its own image', () => {
    const models = services.models ?? {};
    expect(build(models)?.target).toBe('models');
    expect(commandOf(models)).toEqual(['node', 'apps/cli/dist/main.js', 'models', 'import-bundled']);
    expect(String(models.restart ?? 'no')).toBe('no');
    const dir = envOf(models).MODELS_DIR;
    const mount = mountsOf(models).find((m) => m.target === dir);
    expect(mount?.type).toBe('volume');
    expect(mount?.readOnly).toBe(false);
  });

  it('the bench runs against the compose workers (--external) behind the bench profile', () => {
    const bench = services.bench ?? {};
    expect(profiles(bench)).toEqual(['bench']);
    const cmd = commandOf(bench);
    expect(cmd.slice(0, 3)).toEqual(['npm', 'run', 'bench']);
    expect(cmd).toContain('--external');
    const model = cmd[cmd.indexOf('--model') + 1];
    expect(KNOWN_MODELS as readonly string[]).toContain(model);
    const servingWorker = workerServices.find(([, s]) => envOf(s).MODEL === model && profiles(s).length === 0);
    expect(servingWorker, `a default worker for ${model}`).toBeDefined();
    expect(Object.keys(dependsOn(bench))).toContain(servingWorker![0]);
  });

  it('DATA_ROOT and MODELS_DIR are the same named volumes everywhere; workers mount them read-only', () => {
    for (const key of ['DATA_ROOT', 'MODELS_DIR'] as const) {
      const sources = new Set<string>();
      for (const [name, svc] of ownServices) {
        const dir = envOf(svc)[key];
        if (dir === undefined) continue;
        const mount = mountsOf(svc).find((m) => m.target === dir);
        expect(mount?.type, `${name}: a volume at ${key}=${dir}`).toBe('volume');
        expect(Object.keys(topVolumes), `${name}: ${mount!.source} declared`).toContain(mount!.source);
        sources.add(mount!.source);
        if (workerServices.some(([n]) => n === name)) expect(mount!.readOnly, `${name}: ${key} read-only`).toBe(true);
      }
      expect([...sources], key).toHaveLength(1);
    }
    // Workers need both.
    for (const [name, svc] of workerServices) {
      expect(envOf(svc).DATA_ROOT, name).toBeDefined();
      expect(envOf(svc).MODELS_DIR, name).toBeDefined();
    }
  });

  // `npm run bench` is a documented command (README, "What it measures") whose script the benchmark work adds; until
  // package.json has it, its check is skipped by name (visible in the report), then runs by itself.
  const scripts = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const npmRuns = ownServices
    .map(([name, svc]) => [name, commandOf(svc)] as const)
    .filter(([, cmd]) => cmd[0] === 'npm' && cmd[1] === 'run')
    .map(([name, cmd]) => ({ name, script: cmd[2] ?? '' }));
  for (const { name, script } of npmRuns) {
    it(`${name}: \`npm run ${script}\` exists in package.json`, () => {
      expect(Object.keys(scripts)).toContain(script);
    });
  }

  it.each(ownServices.map(([n]) => n))('%s sets only environment variables the apps read', (name) => {
    const unknown = Object.keys(envOf(services[name]!)).filter((k) => !knownEnvNames.includes(k) && !PASSED_AHEAD_OF_CONFIG.includes(k));
    expect(unknown).toEqual([]);
  });

  it('every service uses the same HOURGLASS_PREFIX (else workers and API see different queues)', () => {
    const prefixes = new Set(
      ownServices.filter(([, s]) => envOf(s).REDIS_URL !== undefined).map(([, s]) => envOf(s).HOURGLASS_PREFIX ?? commonDefaults.HOURGLASS_PREFIX),
    );
    expect(prefixes.size).toBe(1);
  });
});

describe('docker-compose.yml: prometheus', () => {
  const prom = services.prometheus;
  const jobsOf = (file: string) => (parse(readFileSync(path.join(root, 'infra/prometheus', file), 'utf8')) as Obj).scrape_configs as Obj[];
  const dnsNames = (jobs: Obj[]) =>
    jobs.flatMap((j) => (Array.isArray(j.dns_sd_configs) ? (j.dns_sd_configs as Obj[]) : [])).flatMap((d) => d.names as string[]);

  it('mounts prometheus.yml by default, prometheus-gpu.yml when HOURGLASS_PROMETHEUS_CONFIG says so', () => {
    expect(prom, 'a prometheus service').toBeDefined();
    expect(profiles(prom!)).toEqual(['monitoring']);
    const source = (svc: Obj) => mountsOf(svc).find((m) => m.type === 'bind' && m.target === '/etc/prometheus/prometheus.yml')?.source;
    expect(source(prom!)).toBe('./infra/prometheus/prometheus.yml');
    const gpu = loadCompose({ ...TEST_ENV, HOURGLASS_PROMETHEUS_CONFIG: 'prometheus-gpu.yml' });
    expect(source((gpu.services as Record<string, Obj>).prometheus!)).toBe('./infra/prometheus/prometheus-gpu.yml');
  });

  it.each(['prometheus.yml', 'prometheus-gpu.yml'])('%s scrapes the API and its workers via DNS service discovery', (file) => {
    const jobs = jobsOf(file);
    const staticTargets = jobs.flatMap((j) =>
      (Array.isArray(j.static_configs) ? (j.static_configs as Obj[]) : []).flatMap((s) => (s.targets as string[]) ?? []),
    );
    expect(staticTargets).toContain(`api:${envOf(services.api!).PORT ?? '3000'}`);
    const dnsSd = jobs.flatMap((j) => (Array.isArray(j.dns_sd_configs) ? (j.dns_sd_configs as Obj[]) : []));
    const gpuFile = file === 'prometheus-gpu.yml';
    for (const [name, svc] of workerServices.filter(([, s]) => gpuFile || profiles(s).length === 0)) {
      const sd = dnsSd.find((d) => (d.names as string[]).includes(name));
      expect(sd, `${name} discovered`).toBeDefined();
      expect(sd!.type).toBe('A');
      expect(String(sd!.port)).toBe(envOf(svc).WORKER_HTTP_PORT);
    }
  });

  it('the default config looks up no service of a profile that may be off (worker-gpu)', () => {
    const profiled = Object.entries(services)
      .filter(([, s]) => profiles(s).length > 0)
      .map(([n]) => n);
    expect(dnsNames(jobsOf('prometheus.yml')).filter((n) => profiled.includes(n))).toEqual([]);
    // The gpu variant is the default plus the worker-gpu job, nothing else.
    const extra = jobsOf('prometheus-gpu.yml').filter((j) => !jobsOf('prometheus.yml').some((d) => d.job_name === j.job_name));
    expect(dnsNames(extra)).toEqual(['worker-gpu']);
  });
});

/** redis.conf directives: `name value...`, last one wins, comments and blanks ignored. */
function parseRedisConf(text: string): Map<string, string> {
  const conf = new Map<string, string>();
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    const [name = '', ...rest] = t.split(/\s+/);
    conf.set(name.toLowerCase(), rest.join(' '));
  }
  return conf;
}
