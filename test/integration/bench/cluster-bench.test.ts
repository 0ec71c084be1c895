/**
 * `hourglass bench-cluster`, small: a real 3-master Redis Cluster and a real single Redis started
 * by the command, queue-only worker processes draining a batch on each, and a row per run with
 * every master's Redis CPU per image. Only that it measures is checked here (no timed assertion);
 * the figures are in bench/RESULTS.md.
 */
import { describe, expect, it } from 'vitest';
import { runHarness } from '../../helpers/cli.js';

describe('bench-cluster', () => {
  it('drains a queue-only batch on 1 Redis and on a 3-master cluster with 3 shards, and reports each master', { timeout: 180_000 }, async () => {
    const run = await runHarness(['bench-cluster', '--images', '400', '--chunk', '4', '--batches', '2', '--shards', '3', '--workers', '1', '--no-write'], {}, { timeoutMs: 170_000 });
    expect(run.code, run.stderr).toBe(0);
    const rows = run.stdout.split('\n').filter((l) => /^\| (1 Redis|cluster)/.test(l));
    const cells = (line: string): string[] => line.split('|').slice(1, -1).map((c) => c.trim());
    const single = rows.map(cells).find((c) => c[0] === '1 Redis')!;
    const sharded = rows.map(cells).find((c) => c[0] === 'cluster, 3 masters' && c[1] === '3')!;
    expect(single[3]).toBe('400');
    expect(sharded.slice(3, 6)).toEqual(['400', '2', '4']);
    // One figure per master, and script calls: the drain went through the Lua path.
    expect(sharded[9]!.split(' / ')).toHaveLength(3);
    expect(Number(sharded[11])).toBeGreaterThan(0);
    expect(run.stdout).toContain('**Machine:**');
  });
});
