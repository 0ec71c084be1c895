/**
 * The cluster benchmark's table (Markdown) and where it is kept:
 * bench/results/<date>-<host>-cluster-queue-c<images per job>-b<batches>.{json,md}. Redis CPU per image is summed over every
 * master ("in all": what the deployment pays) and given for the busiest one: a queue shard is one
 * slot on one master, so the busiest master is what caps the rate. Each master's idle CPU (cron,
 * cluster gossip), sampled just before the run, is taken off; the JSON keeps the raw figures.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface ClusterRun {
  redis: string;
  masters: number;
  shards: number;
  workers: number;
  images: number;
  /** The images went in as this many batches submitted at once. */
  batches: number;
  chunkSize: number;
  drainMs: number;
  imagesPerSecond: number;
  /** Redis CPU µs per image on each master (INFO cpu, user + sys), net of the master's idle CPU. */
  perNodeCpuUs: number[];
  /** The same before the idle CPU (measured just before the run) was taken off. */
  rawPerNodeCpuUs: number[];
  idleCpuUsPerSecond: number[];
  scriptCallsPerImage: number;
  /** Images that got failure rows (0 in a sound run; reports from before it was counted lack it). */
  failures?: number;
  /** 1-minute load average when the run ended. */
  loadAverage: number;
}

export interface ClusterReport {
  machine: string;
  loadBefore: number[];
  loadAfter: number[];
  command: string;
  runs: ClusterRun[];
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export function clusterRunFigures(run: ClusterRun): { totalUs: number; busiestUs: number; perCore: number; busiestCeiling: number } {
  const totalUs = run.perNodeCpuUs.reduce((a, b) => a + b, 0);
  const busiestUs = Math.max(...run.perNodeCpuUs);
  return { totalUs, busiestUs, perCore: 1e6 / totalUs, busiestCeiling: 1e6 / busiestUs };
}

export function renderClusterBench(runs: readonly ClusterRun[], options: { header: boolean } & Partial<ClusterReport>): string {
  const lines: string[] = [];
  if (options.header) {
    lines.push('| Redis | Shards (K) | Workers | Images | Batches | Images/job | Drain | img/s | Redis CPU µs/img, in all | per master | busiest master | Script calls/img | img/s per Redis core (10⁶ ÷ in all) | Ceiling by busiest master (10⁶ ÷ busiest) | Load (1 min) |');
    lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |');
  }
  for (const run of runs) {
    const f = clusterRunFigures(run);
    lines.push(
      `| ${run.redis} | ${run.shards} | ${run.workers} | ${fmt(run.images)} | ${run.batches ?? 1} | ${run.chunkSize} | ${fmt(run.drainMs / 1000, 1)} s | ${fmt(run.imagesPerSecond)} | ${fmt(f.totalUs, 1)} | ${run.perNodeCpuUs.map((us) => fmt(us, 1)).join(' / ')} | ${fmt(f.busiestUs, 1)} | ${fmt(run.scriptCallsPerImage, 2)} | ${fmt(f.perCore)} | ${fmt(f.busiestCeiling)} | ${fmt(run.loadAverage, 2)} |`,
    );
  }
  if (options.header && options.machine) {
    lines.unshift(`- **Machine:** ${options.machine}; load average ${options.loadBefore?.map((l) => fmt(l, 2)).join(' ')} before, ${options.loadAfter?.map((l) => fmt(l, 2)).join(' ')} after`, `- **Command:** \`${options.command}\``, '');
  }
  return lines.join('\n');
}

export async function writeClusterBench(report: ClusterReport, dir = 'bench/results'): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const stem = path.join(dir, `${new Date().toISOString().slice(0, 10)}-${os.hostname()}-cluster-queue-c${report.runs[0]?.chunkSize ?? 1}-b${report.runs[0]?.batches ?? 1}`);
  await writeFile(`${stem}.json`, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(`${stem}.md`, `# Queue-only ceiling: 1 Redis and a Redis Cluster\n\n${renderClusterBench(report.runs, { header: true, ...report })}\n`);
  return [`${stem}.json`, `${stem}.md`];
}
