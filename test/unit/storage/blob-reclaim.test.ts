/** Blob reclaim rules on the test run's Redis (the cases: test/helpers/blob-reclaim-cases.ts). */
import { afterAll, describe } from 'vitest';
import { blobReclaimCases } from '../../helpers/blob-reclaim-cases.js';
import { testRedis } from '../../helpers/redis.js';

describe('blob reclaim on a single Redis', () => {
  const redis = testRedis();
  afterAll(async () => {
    await redis.quit();
  });
  blobReclaimCases(() => redis);
});
