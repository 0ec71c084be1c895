/**
 * The harness commands (bench, plan, chaos, demo) exit 2 on a usage mistake, as `hourglass --help`
 * documents, before they start anything: the built harness runs as a child process, and the
 * client's `hourglass <harness command>` runs it with the same arguments and exit code.
 */
import { describe, expect, it } from 'vitest';
import { runCli, runHarness } from '../../helpers/cli.js';

const mistakes: Array<{ args: string[]; says: RegExp }> = [
  { args: ['bench', '--model', 'colours', '--images', 'lots'], says: /--images: expected comma-separated positive integers/ },
  { args: ['bench', '--model', 'colours', '--ep', 'tpu'], says: /--ep: one of cpu, webgpu, cuda/ },
  { args: ['bench', '--model', 'colours', '--no-such-option'], says: /--no-such-option/ },
  { args: ['bench-smoke', '--images', '0'], says: /--images: expected a positive integer/ },
  { args: ['plan', '--model', 'colours', '--images', '100', '--target=-5'], says: /--target: seconds > 0/ },
  { args: ['plan', '--bogus'], says: /--bogus/ },
  { args: ['chaos', '--workers=-1'], says: /--workers must be a non-negative integer/ },
  { args: ['chaos', '--only', 'kill', '--bogus'], says: /--bogus/ },
  { args: ['demo', '--bogus'], says: /--bogus/ },
  { args: ['demo', '--images', 'many'], says: /--images: expected a positive integer/ },
];

// Where nothing is: a mistake must be reported before any model or data folder is looked at.
const NOWHERE = { DATA_ROOT: '/nonexistent-hourglass-home/data', MODELS_DIR: '/nonexistent-hourglass-home/models' };

describe('usage mistakes in the harness commands', () => {
  it.each(mistakes)('hourglass $args exits 2 and says why', async ({ args, says }) => {
    const run = await runHarness(args, NOWHERE);
    expect(run.stderr).toMatch(says);
    expect(run.code, run.stderr).toBe(2);
  });

  it.each(mistakes.slice(0, 2))('the client runs hourglass $args through the harness: the same message and exit 2', async ({ args, says }) => {
    const run = await runCli(args, NOWHERE);
    expect(run.stderr).toMatch(says);
    expect(run.code, run.stderr).toBe(2);
  });

  it('the harness lists its commands on --help (exit 0), and the client names them in its own', async () => {
    const harness = await runHarness(['--help']);
    expect(harness.code).toBe(0);
    for (const command of ['demo', 'bench', 'bench-queue', 'bench-cluster', 'plan', 'chaos', 'experiment']) expect(harness.stdout).toContain(`  ${command} `);
    const client = await runCli(['--help']);
    expect(client.code).toBe(0);
    expect(client.stdout).toMatch(/local-system harnesses .*\n {2}demo, bench, bench-smoke/);
  });
});
