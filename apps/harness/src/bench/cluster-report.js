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
const fmt = (n, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
export function clusterRunFigures(run) {
    const totalUs = run.perNodeCpuUs.reduce((a, b) => a + b, 0);
    const busiestUs = Math.max(...run.perNodeCpuUs);
    return { totalUs, busiestUs, perCore: 1e6 / totalUs, busiestCeiling: 1e6 / busiestUs };
}
export function renderClusterBench(runs, options) {
    const lines = [];
    if (options.header) {
        lines.push('| Redis | Shards (K) | Workers | Images | Batches | Images/job | Drain | img/s | Redis CPU µs/img, in all | per master | busiest master | Script calls/img | img/s per Redis core (10⁶ ÷ in all) | Ceiling by busiest master (10⁶ ÷ busiest) | Load (1 min) |');
        lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |');
    }
    for (const run of runs) {
        const f = clusterRunFigures(run);
        lines.push(`| ${run.redis} | ${run.shards} | ${run.workers} | ${fmt(run.images)} | ${run.batches ?? 1} | ${run.chunkSize} | ${fmt(run.drainMs / 1000, 1)} s | ${fmt(run.imagesPerSecond)} | ${fmt(f.totalUs, 1)} | ${run.perNodeCpuUs.map((us) => fmt(us, 1)).join(' / ')} | ${fmt(f.busiestUs, 1)} | ${fmt(run.scriptCallsPerImage, 2)} | ${fmt(f.perCore)} | ${fmt(f.busiestCeiling)} | ${fmt(run.loadAverage, 2)} |`);
    }
    if (options.header && options.machine) {
        lines.unshift(`- **Machine:** ${options.machine}; load average ${options.loadBefore?.map((l) => fmt(l, 2)).join(' ')} before, ${options.loadAfter?.map((l) => fmt(l, 2)).join(' ')} after`, `- **Command:** \`${options.command}\``, '');
    }
    return lines.join('\n');
}
export async function writeClusterBench(report, dir = 'bench/results') {
    await mkdir(dir, { recursive: true });
    const stem = path.join(dir, `${new Date().toISOString().slice(0, 10)}-${os.hostname()}-cluster-queue-c${report.runs[0]?.chunkSize ?? 1}-b${report.runs[0]?.batches ?? 1}`);
    await writeFile(`${stem}.json`, `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(`${stem}.md`, `# Queue-only ceiling: 1 Redis and a Redis Cluster\n\n${renderClusterBench(report.runs, { header: true, ...report })}\n`);
    return [`${stem}.json`, `${stem}.md`];
}
//# sourceMappingURL=cluster-report.js.map