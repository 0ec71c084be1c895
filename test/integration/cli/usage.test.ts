/**
 * The harness commands (bench, plan, chaos, demo) exit 2 on a usage mistake, as `hourglass --help`
 * documents, before they start anything: the built CLI runs as a child process.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

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
];

describe('usage mistakes in the harness commands', () => {
  it.each(mistakes)('hourglass $args exits 2 and says why', async ({ args, says }) => {
    const run = await runCli(args, { HOURGLASS_HOME: '/nonexistent-hourglass-home' });
    expect(run.stderr).toMatch(says);
    expect(run.code, run.stderr).toBe(2);
  });
});
