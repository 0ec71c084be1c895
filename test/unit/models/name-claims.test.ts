/**
 * Model names are claimed atomically (packages/core/src/models/name-claims.ts): ten keys racing for
 * the same new name get one winner and nine 409 NAME_TAKEN; the winner claims it again; a shared
 * (admin) name is no tenant's and a tenant's is no admin's. Real Redis.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { AppError, ModelNameClaims } from '@hourglass/core';
import { testRedis, uniquePrefix } from '../../helpers/redis.js';

describe('model name claims', () => {
  const redis = testRedis();
  afterAll(async () => {
    await redis.quit();
  });
  const outcome = (p: Promise<void>): Promise<string> =>
    p.then(
      () => 'won',
      (error: unknown) => (error instanceof AppError ? error.code : String(error)),
    );

  it('ten keys racing for one new name: exactly one wins, the rest are NAME_TAKEN', async () => {
    const claims = new ModelNameClaims(redis, uniquePrefix('names'));
    const callers = Array.from({ length: 10 }, (_, i) => ({ owner: `owner-${i}`, admin: false }));
    const results = await Promise.all(callers.map((caller) => outcome(claims.claim('fresh-model', caller))));
    expect(results.filter((r) => r === 'won')).toHaveLength(1);
    expect(results.filter((r) => r === 'NAME_TAKEN')).toHaveLength(9);
    const winner = callers[results.indexOf('won')]!;
    expect(await outcome(claims.claim('fresh-model', winner))).toBe('won');
    expect(await outcome(claims.claim('fresh-model', { owner: 'admin-hash', admin: true }))).toBe('NAME_TAKEN');
  });

  it("a shared name (claimed by an admin key) is every admin's and no tenant's", async () => {
    const claims = new ModelNameClaims(redis, uniquePrefix('names'));
    expect(await outcome(claims.claim('shared-model', { owner: 'admin-1', admin: true }))).toBe('won');
    expect(await outcome(claims.claim('shared-model', { owner: 'admin-2', admin: true }))).toBe('won');
    expect(await outcome(claims.claim('shared-model', { owner: 'tenant', admin: false }))).toBe('NAME_TAKEN');
  });
});
