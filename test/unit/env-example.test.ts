/** .env.example documents every variable the config schemas read, and nothing else. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { knownEnvNames } from '@hourglass/core/testing';

describe('.env.example', () => {
  it('lists exactly the variables the config schemas know', async () => {
    const text = await readFile(new URL('../../.env.example', import.meta.url), 'utf8');
    const listed = text
      .split('\n')
      .map((line) => /^([A-Z][A-Z0-9_]*)=/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined);
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual([...knownEnvNames].sort());
  });
});
