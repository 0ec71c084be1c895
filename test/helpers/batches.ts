/** Batch records and result rows as the API and workers write them, for tests of the result store. */
import type { Redis } from 'ioredis';
import { Keys, type ResultRow } from '@hourglass/core';
import { uniquePrefix } from './redis.js';

/** A successful row for image `index`. */
export const resultRow = (index: number): ResultRow => ({
  index,
  source: `${index}.jpg`,
  model: 'm',
  modelVersion: 1,
  label: 'red',
  confidence: 1,
  worker: 'w',
  finishedAt: 0,
});

/** A fresh prefix and batch id with the meta hash submitBatch would create for `total` images. */
export async function seedBatch(redis: Redis, total: number, stem = 'rb'): Promise<{ keys: Keys; id: string }> {
  const keys = new Keys(uniquePrefix(stem));
  const id = `b${uniquePrefix('')}`;
  await redis.hset(keys.batch(id), { id, model: 'm', total, createdAt: Date.now(), owner: 'o', completed: 0, failed: 0, started: 0 });
  return { keys, id };
}
