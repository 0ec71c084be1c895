/** apps/cli/src/commands/common.ts exitCodeOf: which thrown errors are usage mistakes (exit 2). */
import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { EXIT, UsageError, exitCodeOf } from '../../../apps/cli/src/commands/common.js';

describe('exitCodeOf', () => {
  it('gives a UsageError exit 2', () => {
    expect(exitCodeOf(new UsageError('--images: expected a positive integer'))).toBe(EXIT.USAGE);
  });

  it("gives node:util parseArgs' own refusals exit 2", () => {
    const refusals = [
      () => parseArgs({ args: ['--nope'], options: {} }),
      () => parseArgs({ args: ['--images'], options: { images: { type: 'string' } } }),
      () => parseArgs({ args: ['stray'], options: {}, allowPositionals: false }),
    ];
    for (const refuse of refusals) {
      let thrown: unknown;
      try {
        refuse();
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(Error);
      expect(exitCodeOf(thrown)).toBe(EXIT.USAGE);
    }
  });

  it('gives everything else exit 1', () => {
    for (const thrown of [
      new Error('ECONNRESET'),
      Object.assign(new Error('x'), { code: 'ENOENT' }),
      'a string',
      undefined,
      { code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' },
    ]) {
      expect(exitCodeOf(thrown)).toBe(EXIT.FAILED);
    }
  });
});
