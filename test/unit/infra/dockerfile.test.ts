/**
 * An offline Dockerfile linter for infra/Dockerfile and infra/Dockerfile.gpu. hadolint is neither
 * on these machines nor in Debian's archive, so these checks are the lint.
 * The rules are the ones that bite this project: pinned base images, a non-root user, a health
 * check that works without curl, tini so SIGTERM reaches node, `npm ci` from the lockfile, and the
 * onnxruntime-node install flavour (skip for CPU/WebGPU, cuda12 for the CUDA image).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

interface Instruction {
  cmd: string;
  args: string;
  line: number;
}
interface Stage {
  index: number;
  name: string | undefined;
  /** Image or earlier stage name, variables substituted. */
  from: string;
  instructions: Instruction[];
}
interface Dockerfile {
  globalArgs: Map<string, string>;
  stages: Stage[];
}

/** Splits a Dockerfile into instructions: continuations joined, comment lines dropped. */
function parseDockerfile(text: string): Dockerfile {
  const instructions: Instruction[] = [];
  const lines = text.split('\n');
  let buf = '';
  let startLine = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    const trimmed = raw.trim();
    if (trimmed.startsWith('#')) continue; // comments (and parser directives) - also inside continuations
    if (buf === '' && trimmed === '') continue;
    if (buf === '') startLine = i + 1;
    if (trimmed.endsWith('\\')) {
      buf += trimmed.slice(0, -1) + ' ';
      continue;
    }
    buf += trimmed;
    const m = /^(\S+)\s*(.*)$/s.exec(buf);
    if (m) instructions.push({ cmd: (m[1] ?? '').toUpperCase(), args: (m[2] ?? '').trim(), line: startLine });
    buf = '';
  }
  if (buf !== '') throw new Error('Dockerfile ends inside a line continuation');

  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.cmd === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (!m) throw new Error(`line ${ins.line}: unreadable FROM ${ins.args}`);
      stages.push({ index: stages.length, name: m[2]?.toLowerCase(), from: substitute(m[1] ?? '', globalArgs), instructions: [] });
    } else if (stages.length === 0) {
      if (ins.cmd !== 'ARG') throw new Error(`line ${ins.line}: ${ins.cmd} before the first FROM`);
      for (const [k, v] of parseKeyValues(ins.args)) globalArgs.set(k, v);
    } else {
      stages.at(-1)!.instructions.push(ins);
    }
  }
  return { globalArgs, stages };
}

function substitute(s: string, vars: Map<string, string>): string {
  return s.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_w, a?: string, def?: string, b?: string) => {
    const name = a ?? b ?? '';
    return vars.get(name) ?? def ?? '';
  });
}

/** `K=V K2="V 2"` (or legacy `K V` for ENV, `K` alone for ARG). */
function parseKeyValues(args: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!args.includes('=')) {
    const [k = '', ...rest] = args.split(/\s+/);
    out.set(k, rest.join(' '));
    return out;
  }
  for (const m of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)(?:=("(?:[^"\\]|\\.)*"|'[^']*'|\S*))?/g)) {
    const v = m[2] ?? '';
    out.set(m[1] ?? '', v.startsWith('"') || v.startsWith("'") ? v.slice(1, -1) : v);
  }
  return out;
}

/** A stage and the stages it is built FROM, root first. */
function chain(df: Dockerfile, stage: Stage): Stage[] {
  const parent = df.stages.find((s) => s.index < stage.index && s.name === stage.from.toLowerCase());
  return parent ? [...chain(df, parent), stage] : [stage];
}

/** What a container from this stage runs with: env, user, health check, entrypoint, cmd. */
function effective(df: Dockerfile, stage: Stage) {
  const env = new Map<string, string>();
  let user = 'root';
  let healthcheck: string | undefined;
  let entrypoint: string | undefined;
  let cmd: string | undefined;
  for (const s of chain(df, stage)) {
    for (const ins of s.instructions) {
      if (ins.cmd === 'ENV') for (const [k, v] of parseKeyValues(ins.args)) env.set(k, substitute(v, env));
      if (ins.cmd === 'USER') user = ins.args;
      if (ins.cmd === 'HEALTHCHECK') healthcheck = ins.args;
      if (ins.cmd === 'ENTRYPOINT') {
        entrypoint = ins.args;
        cmd = undefined; // a new ENTRYPOINT resets an inherited CMD
      }
      if (ins.cmd === 'CMD') cmd = ins.args;
    }
  }
  return { env, user, healthcheck, entrypoint, cmd };
}

/** Env (ENV and ARG defaults) in force at a given instruction of a stage. */
function envAt(df: Dockerfile, stage: Stage, upTo: Instruction): Map<string, string> {
  const env = new Map<string, string>();
  for (const s of chain(df, stage)) {
    for (const ins of s.instructions) {
      if (ins === upTo) return env;
      if (ins.cmd === 'ENV' || ins.cmd === 'ARG') {
        for (const [k, v] of parseKeyValues(ins.args)) {
          const resolved = substitute(v, new Map([...df.globalArgs, ...env]));
          if (ins.cmd === 'ENV' || !env.has(k)) env.set(k, resolved || (df.globalArgs.get(k) ?? ''));
        }
      }
    }
  }
  return env;
}

const jsonArray = (s: string | undefined): string[] | undefined => {
  if (s === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(s);
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
  } catch {
    return undefined;
  }
};

const isRoot = (user: string): boolean => {
  const name = user.split(':')[0] ?? '';
  return name === '' || name === 'root' || name === '0';
};

const runs = (s: Stage): Instruction[] => s.instructions.filter((i) => i.cmd === 'RUN');
const stageNamed = (df: Dockerfile, name: string): Stage => {
  const s = df.stages.find((x) => x.name === name);
  if (!s) throw new Error(`no stage ${name}`);
  return s;
};
/** Stages whose files a stage copies (`COPY --from=`), transitively through FROM. */
const copiedFrom = (df: Dockerfile, stage: Stage): Stage[] =>
  chain(df, stage)
    .flatMap((s) => s.instructions)
    .filter((i) => i.cmd === 'COPY')
    .map((i) => /--from=(\S+)/.exec(i.args)?.[1]?.toLowerCase())
    .flatMap((n) => df.stages.filter((s) => n !== undefined && s.name === n));

interface Spec {
  file: string;
  /** Targets that run as containers: non-root, tini, exec-form CMD. */
  runtimeTargets: string[];
  /** Of those, long-running services that need a HEALTHCHECK. */
  serviceTargets: string[];
}

const specs: Spec[] = [
  { file: 'infra/Dockerfile', runtimeTargets: ['api', 'worker', 'models', 'cli'], serviceTargets: ['api', 'worker'] },
  {
    file: 'infra/Dockerfile.gpu',
    runtimeTargets: ['worker-webgpu', 'worker-cuda'],
    serviceTargets: ['worker-webgpu', 'worker-cuda'],
  },
];

describe.each(specs)('$file (offline lint)', ({ file, runtimeTargets, serviceTargets }) => {
  const df = parseDockerfile(readFileSync(path.join(root, file), 'utf8'));
  const stageNames = df.stages.map((s) => s.name);

  it('has the runtime targets, uniquely named', () => {
    expect(stageNames).toEqual(expect.arrayContaining(runtimeTargets));
    const named = stageNames.filter((n) => n !== undefined);
    expect(new Set(named).size).toBe(named.length);
  });

  it('pins every base image to a version tag (no latest, no untagged), Node 22+ on Debian slim', () => {
    for (const s of df.stages) {
      if (df.stages.some((p) => p.index < s.index && p.name === s.from.toLowerCase())) continue; // an earlier stage
      expect(s.from, `stage ${s.name ?? s.index}: variables resolve`).not.toMatch(/\$|:$|:-/);
      const m = /^([a-z0-9./-]+)(?::([\w.-]+))?(@sha256:[a-f0-9]{64})?$/.exec(s.from);
      expect(m, `stage ${s.name ?? s.index}: ${s.from}`).not.toBeNull();
      const tag = m![2];
      expect(m![3] !== undefined || (tag !== undefined && /^v?\d/.test(tag)), `${s.from}: version tag`).toBe(true);
      if (m![1] === 'node') {
        expect(Number(/^(\d+)/.exec(tag ?? '')?.[1]), `${s.from}: Node 22 LTS or newer`).toBeGreaterThanOrEqual(22);
        // glibc: sharp's prebuilt libvips and onnxruntime-node's binaries are glibc builds.
        expect(tag, `${s.from}: Debian, not alpine`).toMatch(/-(bookworm|trixie)(-slim)?$/);
      }
    }
  });

  it('COPY --from names an earlier stage', () => {
    for (const s of df.stages) {
      for (const ins of s.instructions.filter((i) => i.cmd === 'COPY')) {
        const from = /--from=(\S+)/.exec(ins.args)?.[1]?.toLowerCase();
        if (from === undefined) continue;
        const earlier = df.stages.filter((p) => p.index < s.index).map((p) => p.name);
        expect(earlier, `line ${ins.line}`).toContain(from);
      }
    }
  });

  it('never ADDs from a URL (and uses COPY for local files)', () => {
    const adds = df.stages.flatMap((s) => s.instructions).filter((i) => i.cmd === 'ADD');
    for (const a of adds) expect(a.args, `line ${a.line}`).not.toMatch(/https?:\/\//);
    expect(
      adds.map((a) => a.line),
      'ADD used where COPY would do',
    ).toEqual([]);
  });

  it('installs with `npm ci` from the lockfile, never `npm install`', () => {
    const all = df.stages.flatMap(runs);
    for (const r of all) expect(r.args, `line ${r.line}`).not.toMatch(/\bnpm\s+(install|i|add)\b/);
    expect(all.some((r) => /\bnpm\s+ci\b/.test(r.args))).toBe(true);
  });

  it('sets ONNXRUNTIME_NODE_INSTALL wherever npm ci runs (skip, or cuda12 for the CUDA image)', () => {
    for (const s of df.stages) {
      for (const r of runs(s).filter((i) => /\bnpm\s+ci\b/.test(i.args))) {
        const flavour = envAt(df, s, r).get('ONNXRUNTIME_NODE_INSTALL');
        expect(['skip', 'cuda12'], `line ${r.line}: ONNXRUNTIME_NODE_INSTALL=${flavour}`).toContain(flavour);
      }
    }
  });

  it('builds with plain `docker build` (classic builder, Docker 20.10): no RUN --mount, no syntax directive', () => {
    const text = readFileSync(path.join(root, file), 'utf8');
    expect(text).not.toMatch(/^#\s*syntax=/m);
    for (const r of df.stages.flatMap(runs)) expect(r.args, `line ${r.line}`).not.toMatch(/--mount=|--network=|--security=/);
  });

  it('every npm ci takes the NPM_REGISTRY build arg, after the import-only packages left the manifests', () => {
    for (const s of df.stages) {
      for (const r of runs(s).filter((i) => /\bnpm\s+ci\b/.test(i.args))) {
        expect(r.args, `line ${r.line}`).toContain('${NPM_REGISTRY:+--registry=$NPM_REGISTRY}');
        expect(
          s.instructions.some((i) => i.cmd === 'ARG' && /^NPM_REGISTRY\b/.test(i.args)),
          `line ${r.line}: ARG NPM_REGISTRY in the stage`,
        ).toBe(true);
        const before = chain(df, s).flatMap((x) => x.instructions);
        const stripAt = before.findIndex((i) => i.cmd === 'RUN' && i.args.includes('runtime-manifests.mjs'));
        expect(stripAt, `line ${r.line}: runtime-manifests.mjs runs first`).toBeGreaterThanOrEqual(0);
        expect(stripAt).toBeLessThan(before.indexOf(r));
      }
    }
  });

  it("every apt-get install can go through APT_MIRROR, and the image keeps Debian's sources", () => {
    for (const s of df.stages) {
      for (const r of runs(s).filter((i) => /apt-get\s+install/.test(i.args))) {
        if (s.from.startsWith('nvidia/cuda')) continue; // Ubuntu's archive: not Debian's mirror
        expect(
          s.instructions.some((i) => i.cmd === 'ARG' && /^APT_MIRROR\b/.test(i.args)),
          `line ${r.line}: ARG APT_MIRROR`,
        ).toBe(true);
        expect(r.args, `line ${r.line}`).toMatch(/if \[ -n "\$APT_MIRROR" \]/);
        expect(r.args, `line ${r.line}: sources restored`).toMatch(/mv \/tmp\/debian\.sources \/etc\/apt\/sources\.list\.d\/debian\.sources/);
      }
    }
  });

  it.each(runtimeTargets)('%s runs with onnxruntime telemetry off (ORT_TELEMETRY_DISABLED=1)', (target) => {
    expect(effective(df, stageNamed(df, target)).env.get('ORT_TELEMETRY_DISABLED')).toBe('1');
  });

  it('apt-get installs without recommends and cleans its lists in the same layer', () => {
    for (const r of df.stages.flatMap(runs).filter((i) => /apt-get\s+install/.test(i.args))) {
      expect(r.args, `line ${r.line}`).toMatch(/--no-install-recommends/);
      expect(r.args, `line ${r.line}`).toMatch(/apt-get\s+update/);
      expect(r.args, `line ${r.line}`).toMatch(/rm\s+-rf\s+\/var\/lib\/apt\/lists/);
    }
  });

  it.each(runtimeTargets)('%s runs as a non-root user', (target) => {
    const s = stageNamed(df, target);
    const { user } = effective(df, s);
    expect(isRoot(user), `USER ${user}`).toBe(false);
    // The last USER of the target's own chain comes before its CMD, so nothing runs as root after it.
    const ordered = chain(df, s).flatMap((x) => x.instructions);
    const lastUser = ordered.map((i) => i.cmd).lastIndexOf('USER');
    const lastCmd = ordered.map((i) => i.cmd).lastIndexOf('CMD');
    expect(lastUser).toBeGreaterThanOrEqual(0);
    expect(lastUser, 'USER before CMD').toBeLessThan(lastCmd);
  });

  it.each(runtimeTargets)('%s forwards SIGTERM: tini as PID 1 and an exec-form CMD', (target) => {
    const { entrypoint, cmd } = effective(df, stageNamed(df, target));
    const ep = jsonArray(entrypoint);
    expect(ep, `ENTRYPOINT ${entrypoint} in exec form`).toBeDefined();
    expect(ep![0]).toMatch(/(^|\/)(tini|docker-init|dumb-init)$/);
    expect(ep).toContain('--');
    expect(jsonArray(cmd), `CMD ${cmd} in exec form`).toBeDefined();
    expect(jsonArray(cmd)![0]).toBe('node');
  });

  it.each(serviceTargets)('%s has a HEALTHCHECK that uses node (no curl or wget in slim images)', (target) => {
    const { healthcheck } = effective(df, stageNamed(df, target));
    expect(healthcheck, 'HEALTHCHECK').toBeDefined();
    expect(healthcheck).not.toMatch(/^NONE$/i);
    const cmdPart = /\bCMD\s+(.*)$/s.exec(healthcheck!)?.[1];
    expect(jsonArray(cmdPart)?.[0], 'exec-form node').toBe('node');
    expect(healthcheck).toMatch(/\/healthz/);
    expect(healthcheck).not.toMatch(/\b(curl|wget)\b/);
  });

  it.each(runtimeTargets)('%s runs a compiled entry point of this repo', (target) => {
    const { cmd } = effective(df, stageNamed(df, target));
    const script = jsonArray(cmd)?.[1] ?? '';
    const m = /^(apps\/[a-z-]+|packages\/[a-z-]+)\/dist\/(.+)\.js$/.exec(script);
    expect(m, `CMD script ${script}`).not.toBeNull();
    // tsc compiles <pkg>/src to <pkg>/dist (rootDir/outDir), so the source is <pkg>/src/<name>.ts.
    const tsconfig = JSON.parse(readFileSync(path.join(root, m![1]!, 'tsconfig.json'), 'utf8')) as {
      compilerOptions?: { rootDir?: string; outDir?: string };
    };
    expect(tsconfig.compilerOptions?.rootDir).toBe('src');
    expect(tsconfig.compilerOptions?.outDir).toBe('dist');
    expect(existsSync(path.join(root, m![1]!, 'src', `${m![2]!}.ts`)), `${m![1]}/src/${m![2]}.ts`).toBe(true);
  });

  it('copies only files that exist in the build context and that .dockerignore lets through', () => {
    const ignore = readFileSync(path.join(root, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith('!'));
    for (const s of df.stages) {
      for (const ins of s.instructions.filter((i) => i.cmd === 'COPY' && !i.args.includes('--from='))) {
        const parts = ins.args.split(/\s+/).filter((p) => !p.startsWith('--'));
        for (const src of parts.slice(0, -1)) {
          if (src === '.') continue;
          expect(existsSync(path.join(root, src)), `line ${ins.line}: ${src} exists`).toBe(true);
          expect(ignore, `line ${ins.line}: ${src} not ignored`).not.toContain(src.replace(/\/$/, ''));
        }
      }
    }
  });
});

describe('infra/Dockerfile: CPU images', () => {
  const df = parseDockerfile(readFileSync(path.join(root, 'infra/Dockerfile'), 'utf8'));

  it('skips the onnxruntime-node CUDA download in every npm ci', () => {
    for (const s of df.stages) {
      for (const r of runs(s).filter((i) => /\bnpm\s+ci\b/.test(i.args))) {
        expect(envAt(df, s, r).get('ONNXRUNTIME_NODE_INSTALL'), `line ${r.line}`).toBe('skip');
      }
    }
  });

  it('api and worker carry runtime dependencies only (npm ci --omit=dev)', () => {
    for (const target of ['api', 'worker']) {
      const sources = copiedFrom(df, stageNamed(df, target));
      const installs = sources.flatMap(runs).filter((r) => /\bnpm\s+ci\b/.test(r.args));
      expect(installs.length, `${target}: copies from a stage that runs npm ci`).toBeGreaterThan(0);
      for (const r of installs) expect(r.args, `${target}: line ${r.line}`).toMatch(/--omit=dev/);
    }
  });

  it('api and worker copy only the pruned runtime tree: no build tree, no nsfwjs (models-prod), nothing else', () => {
    for (const target of ['api', 'worker']) {
      const sources = copiedFrom(df, stageNamed(df, target)).map((s) => s.name);
      expect(sources, target).toEqual(['prod']);
    }
    const prod = stageNamed(df, 'prod');
    const install = runs(prod).find((r) => /\bnpm\s+ci\b/.test(r.args))!;
    expect(install.args).toMatch(/prune-runtime\.sh/);
    expect(copiedFrom(df, stageNamed(df, 'models')).map((s) => s.name)).toEqual(['models-prod']);
    expect(runs(stageNamed(df, 'models-prod')).some((r) => r.args.includes('add-nsfwjs.mjs'))).toBe(true);
  });

  it('gives DATA_ROOT and MODELS_DIR defaults that exist and belong to the app user', () => {
    const { env, user } = effective(df, stageNamed(df, 'worker'));
    const dirs = [env.get('DATA_ROOT'), env.get('MODELS_DIR')];
    expect(dirs).toEqual(['/data', '/models']);
    const text = chain(df, stageNamed(df, 'worker'))
      .flatMap(runs)
      .map((r) => r.args)
      .join('\n');
    expect(text).toMatch(/mkdir -p \/data \/models/);
    expect(text).toContain(`chown ${user}:${user} /data /models`);
  });
});

describe('infra/Dockerfile.gpu: GPU images', () => {
  const df = parseDockerfile(readFileSync(path.join(root, 'infra/Dockerfile.gpu'), 'utf8'));

  it('worker-webgpu has the Vulkan loader, the graphics driver capability and ORT_EP=webgpu', () => {
    const s = stageNamed(df, 'worker-webgpu');
    const { env } = effective(df, s);
    expect(env.get('ORT_EP')).toBe('webgpu');
    const caps = (env.get('NVIDIA_DRIVER_CAPABILITIES') ?? '').split(',');
    expect(caps).toEqual(expect.arrayContaining(['graphics', 'compute', 'utility']));
    expect(
      chain(df, s)
        .flatMap(runs)
        .some((r) => /apt-get\s+install[^&]*\blibvulkan1\b/.test(r.args)),
    ).toBe(true);
    // The WebGPU EP ships in the npm package: no CUDA download.
    for (const src of copiedFrom(df, s)) {
      for (const r of runs(src).filter((i) => /\bnpm\s+ci\b/.test(i.args))) {
        expect(envAt(df, src, r).get('ONNXRUNTIME_NODE_INSTALL')).toBe('skip');
      }
    }
  });

  it('worker-cuda installs the CUDA 12 provider libraries and selects ORT_EP=cuda with a device id', () => {
    const s = stageNamed(df, 'worker-cuda');
    const { env } = effective(df, s);
    expect(env.get('ORT_EP')).toBe('cuda');
    expect(env.get('CUDA_DEVICE_ID')).toMatch(/^\d+$/);
    expect(env.get('NVIDIA_DRIVER_CAPABILITIES')?.split(',')).toContain('compute');
    const flavours = copiedFrom(df, s).flatMap((src) =>
      runs(src)
        .filter((i) => /\bnpm\s+ci\b/.test(i.args))
        .map((r) => envAt(df, src, r).get('ONNXRUNTIME_NODE_INSTALL')),
    );
    expect(flavours).toEqual(['cuda12']);
    expect(s.from).toMatch(/^nvidia\/cuda:12\.[\w.-]*cudnn[\w.-]*$/);
  });
});

describe('.dockerignore', () => {
  const lines = readFileSync(path.join(root, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));

  it('keeps host builds, VCS data, models, data and GPU bundles out of the build context', () => {
    for (const p of ['**/node_modules', '**/dist', '.git', 'models', 'data', '.gpu', 'bench/results', '.env']) {
      expect(lines).toContain(p);
    }
  });

  it('lets the files the build needs through', () => {
    for (const p of ['package.json', 'package-lock.json', '.npmrc', 'tsconfig.json', 'tsconfig.base.json', 'packages', 'apps']) {
      expect(lines, p).not.toContain(p);
    }
    // .npmrc holds no setting (npm 11 warns on unknown ones): the images set ONNXRUNTIME_NODE_INSTALL.
    expect(readFileSync(path.join(root, '.npmrc'), 'utf8')).not.toMatch(/^\s*[^#\s]/m);
  });
});
