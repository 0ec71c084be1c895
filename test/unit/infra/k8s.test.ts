/**
 * Static checks of infra/k8s (no cluster here). Every manifest the kustomization lists is parsed;
 * the checks are the ones a wrong manifest would only show under load: workers without CPU limits
 * (threads oversubscribe), a grace period shorter than the worker's shutdown, a ScaledObject that
 * targets nothing or watches a Redis key no queue uses. `kubectl kustomize` (offline; kubectl ships
 * in this machine image) must also build the set.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { classifyQueueName, commonEnvSchema, inferenceLayoutOf, knownEnvNames, workerEnvSchema } from '@hourglass/core/testing';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const k8sDir = path.join(root, 'infra/k8s');

const KNOWN_MODELS = ['mobilenet-v2', 'mobilenet-v2-mid', 'inception-v3', 'colours'] as const;
const SERVED_MODELS = ['mobilenet-v2', 'inception-v3'] as const;

// Loose shapes: the checks below assert what they need.
type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; [k: string]: any };

const kustomization = parse(readFileSync(path.join(k8sDir, 'kustomization.yaml'), 'utf8')) as {
  namespace?: string;
  resources: string[];
  images?: { name: string; newName?: string; newTag?: string }[];
};

const manifests: (Manifest & { file: string })[] = kustomization.resources.flatMap((file) =>
  parseAllDocuments(readFileSync(path.join(k8sDir, file), 'utf8')).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return { ...(doc.toJS() as Manifest), file };
  }),
);

const ofKind = (kind: string) => manifests.filter((m) => m.kind === kind);
const byName = (kind: string, name: string) => manifests.find((m) => m.kind === kind && m.metadata.name === name);
const workloads = manifests.filter((m) => ['Deployment', 'StatefulSet', 'Job'].includes(m.kind));
const podSpec = (m: Manifest): any => m.spec.template.spec;
const containersOf = (m: Manifest): any[] => [...(podSpec(m).initContainers ?? []), ...podSpec(m).containers];
const envNames = (c: any): string[] => (c.env ?? []).map((e: any) => e.name as string);
const envValue = (c: any, name: string): string | undefined => (c.env ?? []).find((e: any) => e.name === name)?.value;

/** Kubernetes CPU quantities: "2", 2, "1500m", "0.5". */
function cpuCores(q: unknown): number {
  const s = String(q);
  return s.endsWith('m') ? Number(s.slice(0, -1)) / 1000 : Number(s);
}

const config = byName('ConfigMap', 'hourglass-config');
const configData: Record<string, string> = config?.data ?? {};
const prefix = configData.HOURGLASS_PREFIX ?? commonEnvSchema.parse({}).HOURGLASS_PREFIX;
const workerDefaults = workerEnvSchema.parse({});

const workerDeployments = ofKind('Deployment').filter((d) => podSpec(d).containers.some((c: any) => envValue(c, 'MODEL') !== undefined));
const mainContainer = (d: Manifest): any => podSpec(d).containers.find((c: any) => envValue(c, 'MODEL') !== undefined);

describe('infra/k8s: kustomization', () => {
  it('lists every manifest in the folder, and each one parses', () => {
    const files = readdirSync(k8sDir).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml');
    expect([...kustomization.resources].sort()).toEqual(files.sort());
    for (const m of manifests) {
      expect(m.apiVersion, m.file).toBeTruthy();
      expect(m.kind, m.file).toBeTruthy();
      expect(m.metadata?.name, m.file).toBeTruthy();
    }
  });

  it('manifests carry no namespace of their own (the kustomization sets it)', () => {
    for (const m of manifests) expect(m.metadata.namespace, `${m.file} ${m.kind}/${m.metadata.name}`).toBeUndefined();
    expect(kustomization.namespace).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });

  it('every image a workload uses is one the kustomization pins, or a pinned upstream tag', () => {
    const pinned = new Set((kustomization.images ?? []).filter((i) => i.newTag !== undefined).map((i) => i.name));
    for (const w of workloads) {
      for (const c of containersOf(w)) {
        const image = String(c.image);
        if (pinned.has(image)) continue;
        expect(image, `${w.metadata.name}/${c.name}`).toMatch(/^[a-z0-9./-]+:v?\d[\w.-]*$/);
      }
    }
  });

  it('kubectl kustomize builds it', () => {
    const r = spawnSync('kubectl', ['kustomize', k8sDir], { encoding: 'utf8' });
    expect(r.error, 'kubectl on PATH (this machine image ships it)').toBeUndefined();
    expect(r.status, r.stderr).toBe(0);
    const built = parseAllDocuments(r.stdout).map((d) => d.toJS() as Manifest);
    expect(built).toHaveLength(manifests.length);
    for (const m of built.filter((x) => x.kind !== 'Namespace')) {
      expect(m.metadata.namespace, `${m.kind}/${m.metadata.name}`).toBe(kustomization.namespace);
    }
  });
});

describe('infra/k8s: workloads', () => {
  it.each(workloads.map((w) => `${w.kind}/${w.metadata.name}`))('%s: every container has CPU and memory requests and limits', (id) => {
    const w = workloads.find((x) => `${x.kind}/${x.metadata.name}` === id)!;
    for (const c of containersOf(w)) {
      for (const kind of ['requests', 'limits'] as const) {
        expect(c.resources?.[kind]?.cpu, `${c.name} ${kind}.cpu`).toBeDefined();
        expect(c.resources?.[kind]?.memory, `${c.name} ${kind}.memory`).toBeDefined();
      }
    }
  });

  it.each(ofKind('Deployment').map((d) => d.metadata.name))('Deployment %s sets terminationGracePeriodSeconds and a selector that matches its pods', (name) => {
    const d = byName('Deployment', name)!;
    expect(podSpec(d).terminationGracePeriodSeconds).toBeGreaterThan(0);
    const labels = d.spec.template.metadata.labels;
    for (const [k, v] of Object.entries(d.spec.selector.matchLabels)) expect(labels[k], k).toBe(v);
  });

  it.each(ofKind('Deployment').map((d) => d.metadata.name))('Deployment %s runs as non-root', (name) => {
    const d = byName('Deployment', name)!;
    expect(podSpec(d).securityContext?.runAsNonRoot).toBe(true);
    expect(podSpec(d).securityContext?.runAsUser).toBeGreaterThan(0);
  });

  it('the API has readiness and liveness probes on /healthz, a Service, and its keys from a Secret', () => {
    const api = byName('Deployment', 'api')!;
    const c = podSpec(api).containers[0];
    const port = c.ports.find((p: any) => p.name === c.readinessProbe.httpGet.port || p.containerPort === c.readinessProbe.httpGet.port);
    expect(port, 'probe port is a declared container port').toBeDefined();
    expect(String(port.containerPort)).toBe(envValue(c, 'PORT') ?? '3000');
    for (const probe of ['readinessProbe', 'livenessProbe']) expect(c[probe]?.httpGet?.path, probe).toBe('/healthz');
    const keys = (c.env as any[]).find((e) => e.name === 'HOURGLASS_API_KEYS');
    expect(keys?.valueFrom?.secretKeyRef?.name).toBeTruthy();
    const svc = byName('Service', 'api')!;
    for (const [k, v] of Object.entries(svc.spec.selector)) expect(api.spec.template.metadata.labels[k]).toBe(v);
  });

  it('containers set only environment variables the apps read (ConfigMap keys included)', () => {
    expect(Object.keys(configData).filter((k) => !knownEnvNames.includes(k))).toEqual([]);
    for (const w of workloads.filter((x) => x.metadata.name !== 'redis')) {
      for (const c of containersOf(w)) {
        expect(
          envNames(c).filter((k) => !knownEnvNames.includes(k)),
          `${w.metadata.name}/${c.name}`,
        ).toEqual([]);
        for (const ref of c.envFrom ?? []) {
          if (ref.configMapRef) expect(byName('ConfigMap', ref.configMapRef.name), ref.configMapRef.name).toBeDefined();
        }
      }
    }
  });

  it('REDIS_URL points at the redis Service', () => {
    const url = new URL(configData.REDIS_URL ?? '');
    const svc = byName('Service', url.hostname);
    expect(svc, `Service ${url.hostname}`).toBeDefined();
    expect(svc!.spec.ports.map((p: any) => String(p.port))).toContain(url.port || '6379');
  });

  it('volumes name claims that exist', () => {
    const claims = new Set(ofKind('PersistentVolumeClaim').map((p) => p.metadata.name));
    for (const w of workloads) {
      for (const v of podSpec(w).volumes ?? []) {
        if (v.persistentVolumeClaim) expect(claims.has(v.persistentVolumeClaim.claimName), `${w.metadata.name}: ${v.name}`).toBe(true);
      }
    }
  });
});

describe('infra/k8s: redis', () => {
  it('uses the same redis.conf as compose (persistence, noeviction)', () => {
    const cm = byName('ConfigMap', 'redis-config')!;
    expect(cm.data['redis.conf']).toBe(readFileSync(path.join(root, 'infra/redis/redis.conf'), 'utf8'));
    const conf = cm.data['redis.conf'] as string;
    expect(conf).toMatch(/^appendonly yes$/m);
    expect(conf).toMatch(/^appendfsync everysec$/m);
    expect(conf).toMatch(/^maxmemory-policy noeviction$/m);
  });

  it('runs as a StatefulSet with a persistent /data and the config mounted', () => {
    const sts = byName('StatefulSet', 'redis')!;
    const c = podSpec(sts).containers[0];
    expect(String(c.image)).toMatch(/^redis:7\./);
    expect(c.args).toContain('/usr/local/etc/redis/redis.conf');
    const dataMount = c.volumeMounts.find((m: any) => m.mountPath === '/data');
    expect(sts.spec.volumeClaimTemplates.map((t: any) => t.metadata.name)).toContain(dataMount.name);
    expect(c.readinessProbe?.exec?.command?.join(' ')).toMatch(/redis-cli ping/);
  });
});

describe('infra/k8s: workers', () => {
  it('serves mobilenet-v2 and inception-v3', () => {
    expect(workerDeployments.map((d) => envValue(mainContainer(d), 'MODEL'))).toEqual(expect.arrayContaining([...SERVED_MODELS]));
  });

  it.each(workerDeployments.map((d) => d.metadata.name))('%s serves a known model', (name) => {
    expect(KNOWN_MODELS as readonly string[]).toContain(envValue(mainContainer(byName('Deployment', name)!), 'MODEL'));
  });

  it.each(workerDeployments.map((d) => d.metadata.name))('%s: sessions x threads follow its own CPU limit (whole cores)', (name) => {
    const d = byName('Deployment', name)!;
    const c = mainContainer(d);
    const limit = cpuCores(c.resources.limits.cpu);
    expect(Number.isInteger(limit) && limit >= 1, `limits.cpu ${c.resources.limits.cpu}: whole cores`).toBe(true);
    const cores = (c.env as any[]).find((e) => e.name === 'CPU_CORES');
    expect(cores, "CPU_CORES (node in a pod sees the node's cores, not the limit)").toBeDefined();
    // Downward API: rounds the limit up to whole units of the divisor; with whole cores it is exact.
    const ref = cores.valueFrom?.resourceFieldRef;
    const resolved = cores.value ?? (ref?.resource === 'limits.cpu' && cpuCores(ref?.divisor ?? '1') === 1 ? String(Math.ceil(limit)) : undefined);
    expect(ref?.containerName ?? c.name).toBe(c.name);
    expect(resolved, 'CPU_CORES: a literal or limits.cpu with divisor 1').toBeDefined();
    const literal = Object.fromEntries((c.env as any[]).filter((e) => e.value !== undefined).map((e) => [e.name, e.value]));
    const config = workerEnvSchema.parse({ ...configData, ...literal, CPU_CORES: resolved });
    const [onSmallNode, onLargeNode] = [2, 64].map((seen) => inferenceLayoutOf(config, seen));
    expect(onLargeNode).toEqual(onSmallNode);
    const used = onSmallNode!.sessions * onSmallNode!.intraOpThreads;
    expect(used).toBeLessThanOrEqual(limit);
    if (config.ORT_EP === 'cpu') expect(used).toBe(limit);
    // Guaranteed QoS: the scheduler reserves exactly what the threads use.
    expect(cpuCores(c.resources.requests.cpu)).toBe(limit);
  });

  it.each(workerDeployments.map((d) => d.metadata.name))('%s: the kubelet waits longer than the worker drains', (name) => {
    const d = byName('Deployment', name)!;
    const graceMs = Number(envValue(mainContainer(d), 'SHUTDOWN_GRACE_MS') ?? workerDefaults.SHUTDOWN_GRACE_MS);
    expect(podSpec(d).terminationGracePeriodSeconds * 1000).toBeGreaterThan(graceMs);
  });

  it.each(workerDeployments.map((d) => d.metadata.name))('%s: health probes on the worker HTTP port, no fixed replicas', (name) => {
    const d = byName('Deployment', name)!;
    const c = mainContainer(d);
    const port = envValue(c, 'WORKER_HTTP_PORT');
    expect(port).toMatch(/^[1-9]\d*$/);
    const named = (c.ports as any[]).find((p) => String(p.containerPort) === port);
    expect(named, 'container port for WORKER_HTTP_PORT').toBeDefined();
    for (const probe of ['readinessProbe', 'livenessProbe']) {
      expect(c[probe]?.httpGet?.path, probe).toBe('/healthz');
      expect([named.name, named.containerPort]).toContain(c[probe].httpGet.port);
    }
    // KEDA's HPA owns the replica count; a literal here would be reset on every apply.
    expect(d.spec.replicas).toBeUndefined();
  });
});

describe('infra/k8s: KEDA ScaledObjects', () => {
  const scaled = ofKind('ScaledObject');

  it('one per worker Deployment', () => {
    expect(scaled.map((s) => s.spec.scaleTargetRef.name).sort()).toEqual(workerDeployments.map((d) => d.metadata.name).sort());
  });

  it.each(scaled.map((s) => s.metadata.name))('%s targets an existing Deployment and watches its queue wait list', (name) => {
    const so = byName('ScaledObject', name)!;
    expect(so.apiVersion).toBe('keda.sh/v1alpha1');
    const ref = so.spec.scaleTargetRef;
    expect(ref.kind ?? 'Deployment').toBe('Deployment');
    const target = byName('Deployment', ref.name);
    expect(target, `Deployment ${ref.name}`).toBeDefined();
    const model = envValue(mainContainer(target!), 'MODEL')!;

    const triggers = so.spec.triggers as any[];
    expect(triggers.length).toBeGreaterThan(0);
    for (const t of triggers) {
      expect(t.type).toBe('redis');
      // BullMQ keeps waiting jobs in the list <prefix>:<queue>:wait.
      expect(t.metadata.listName).toBe(`${prefix}:${classifyQueueName(model)}:wait`);
      expect(Number(t.metadata.listLength)).toBeGreaterThan(0);
      expect(typeof t.metadata.listLength, 'KEDA metadata values are strings').toBe('string');
      if (t.metadata.activationListLength !== undefined) {
        expect(Number(t.metadata.activationListLength)).toBeGreaterThanOrEqual(0);
      }
      // KEDA's operator resolves the address from its own namespace: it must be the full name of
      // the redis Service in the kustomization's namespace.
      const [host, port] = String(t.metadata.address).split(':');
      expect(host).toBe(`redis.${kustomization.namespace}.svc.cluster.local`);
      expect(byName('Service', 'redis')!.spec.ports.map((p: any) => String(p.port))).toContain(port);
    }
    expect(so.spec.minReplicaCount ?? 0).toBeGreaterThanOrEqual(0);
    expect(so.spec.maxReplicaCount).toBeGreaterThanOrEqual(Math.max(1, so.spec.minReplicaCount ?? 0));
  });
});
