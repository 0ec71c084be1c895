import { describe, expect, it } from 'vitest';
import { AppError, assertShardsCovered, shardCoverage } from '@hourglass/core';

const API = ['classify-m', 'classify-m~1'];

describe('shard coverage', () => {
  it('counts the workers that consume every shard and names the shards nobody consumes', () => {
    expect(shardCoverage([{ queues: ['classify-m'] }, {}], API)).toEqual({ reporting: 1, covering: 0, orphaned: ['classify-m~1'] });
    expect(shardCoverage([{ queues: ['classify-m'] }, { queues: ['classify-m', 'classify-m~1', 'classify-m~2'] }], API)).toEqual({
      reporting: 2,
      covering: 1,
      orphaned: [],
    });
    // Two workers that split the shards between them each leave one undrained by the other, but together cover both.
    expect(shardCoverage([{ queues: ['classify-m'] }, { queues: ['classify-m~1'] }], API)).toEqual({ reporting: 2, covering: 0, orphaned: [] });
  });

  it("refuses only when workers report their queues and none covers the API's", () => {
    expect(() => assertShardsCovered('m', [], API)).not.toThrow();
    expect(() => assertShardsCovered('m', [{}], API)).not.toThrow();
    expect(() => assertShardsCovered('m', [{ queues: API }], API)).not.toThrow();
    let thrown: unknown;
    try {
      assertShardsCovered('m', [{ queues: ['classify-m'] }], API);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect(thrown).toMatchObject({ code: 'QUEUE_LAYOUT_MISMATCH', httpStatus: 503, details: { apiShards: 2, orphaned: ['classify-m~1'] } });
    expect((thrown as Error).message).toContain('its workers consume 1');
  });
});
