import { describe, expect, it } from 'vitest';
import { classifyQueueNames, queueLayout, shardConcurrency } from '@hourglass/core';
import { CLUSTER_SLOTS, classifyJobShard, classifyShardName, hashTagOf, keySlot } from '@hourglass/core/testing';

describe('queue shards', () => {
  it('K = 1 on a single Redis is the one queue classify-<model>, as before sharding', () => {
    expect(classifyQueueNames('mobilenet-v2', { shards: 1, hashTagged: false })).toEqual(['classify-mobilenet-v2']);
    expect(queueLayout({ QUEUE_SHARDS: 1, REDIS_CLUSTER_NODES: undefined })).toEqual({ shards: 1, hashTagged: false });
  });

  it('K > 1 on a single Redis keeps shard 0 and adds classify-<model>~s', () => {
    expect(classifyQueueNames('m', { shards: 3, hashTagged: false })).toEqual(['classify-m', 'classify-m~1', 'classify-m~2']);
  });

  it('on a cluster every shard is one hash tag, in its own K-th of the slot space', () => {
    for (const shards of [1, 2, 3, 6]) {
      const layout = { shards, hashTagged: true };
      const names = classifyQueueNames('levit-128s', layout);
      expect(new Set(names).size).toBe(shards);
      names.forEach((name, s) => {
        expect(name).toMatch(/^\{[^{}:]+\}$/);
        // Every BullMQ key of the queue shares the tag: <prefix>:<name>:<type>.
        expect(keySlot(`hg:${name}:wait`)).toBe(keySlot(`hg:${name}:active`));
        const slot = keySlot(`hg:${name}:wait`);
        expect(slot).toBeGreaterThanOrEqual(Math.floor((s * CLUSTER_SLOTS) / shards));
        expect(slot).toBeLessThan(Math.floor(((s + 1) * CLUSTER_SLOTS) / shards));
      });
      // Deterministic: every process derives the same names.
      expect(classifyQueueNames('levit-128s', layout)).toEqual(names);
    }
    expect(classifyShardName('m', 0, { shards: 1, hashTagged: true })).toBe('{classify-m}');
  });

  it('sends job n of a batch to shard n mod K, whatever the batch id', () => {
    expect([0, 1, 2, 3, 4].map((n) => classifyJobShard(`b1x2-${n}`, 3))).toEqual([0, 1, 2, 0, 1]);
    expect(classifyJobShard('b9-41', 1)).toBe(0);
    expect(() => classifyJobShard('nonsense', 3)).toThrow(RangeError);
  });

  it('splits the in-flight budget over shards, never below one micro-batch', () => {
    expect(shardConcurrency(32, 16, 1)).toBe(32);
    expect(shardConcurrency(32, 16, 3)).toBe(16);
    expect(shardConcurrency(32, 4, 3)).toBe(11);
    expect(shardConcurrency(2, 1, 8)).toBe(1);
  });

  it('hashes the first non-empty {tag} like Redis does', () => {
    expect(hashTagOf('a{b}c{d}')).toBe('b');
    expect(hashTagOf('a{}b')).toBe('a{}b');
    expect(hashTagOf('plain')).toBe('plain');
    // Known values of Redis Cluster's CRC16 mod 16384 (CLUSTER KEYSLOT).
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('{user1000}.following')).toBe(keySlot('user1000'));
  });
});
