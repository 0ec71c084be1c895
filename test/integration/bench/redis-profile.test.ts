/**
 * scripts/redis-profile.mjs, small: it must keep naming BullMQ's scripts from their sources (a
 * BullMQ upgrade that moves them would otherwise turn every row into an anonymous sha) and keep
 * charging the commands a script runs to that script. No timed assertion: the figures are in
 * bench/results/2026-12-02-redis-cost.md.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('scripts/redis-profile.mjs', () => {
  it('splits submit and worker CPU, and names where the time inside commands goes', { timeout: 120_000 }, async () => {
    const { stdout } = await run(process.execPath, ['scripts/redis-profile.mjs', '--images', '200', '--chunks', '1,4', '--rounds', '1', '--events-maxlen', '10000,100'], { timeout: 110_000 });
    const split = stdout.split('\n').filter((l) => /^\| 1 \| (10000|100) \| (1|4) \|/.test(l));
    expect(split).toHaveLength(4);
    const perJob = stdout.slice(stdout.indexOf('## 1 image(s) per job'), stdout.indexOf('## 4 image(s) per job'));
    // One job per image: one addStandardJob (the submit) and one moveToFinished (the worker) each.
    expect(perJob).toMatch(/\| bullmq:moveToFinished \| 1\.0000 \|/);
    expect(perJob).toMatch(/\| bullmq:addStandardJob \| 1\.0000 \|/);
    expect(perJob).toMatch(/\| lua [^|]*:results \|/);
    expect(perJob).toMatch(/\| bullmq:moveToFinished > xadd \|/);
  });
});
