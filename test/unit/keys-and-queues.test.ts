import { describe, expect, it } from 'vitest';
import { Keys } from '@hourglass/core';
import { classifyJobId, classifyJobOptions, classifyQueueName } from '@hourglass/core/testing';

describe('Keys', () => {
  it('puts one batch’s keys in one Redis Cluster slot (same {hash tag})', () => {
    const keys = new Keys('hg');
    const tag = (key: string): string => /\{([^}]+)\}/.exec(key)![1]!;
    const id = 'b123abc';
    expect(new Set([keys.batch(id), keys.results(id), keys.started(id)].map(tag))).toEqual(new Set([`batch:${id}`]));
    expect(new Set([keys.batch(id), keys.results(id), keys.started(id)]).size).toBe(3);
  });

  it('prefixes every key', () => {
    const keys = new Keys('tenant1');
    for (const key of [
      keys.batch('b'),
      keys.results('b'),
      keys.started('b'),
      keys.batchIndex('owner-hash'),
      keys.idempotency('h', 'k'),
      keys.worker('m', 'w'),
      keys.workerPattern(),
    ]) {
      expect(key.startsWith('tenant1:')).toBe(true);
    }
    expect(keys.workerPattern()).toBe('tenant1:workers:*');
    expect(keys.worker('m', 'w').startsWith(keys.workerPattern().slice(0, -1))).toBe(true);
  });
});

describe('queues', () => {
  it('names one queue per model and job ids from batch and job number', () => {
    expect(classifyQueueName('levit-128s')).toBe('classify-levit-128s');
    expect(classifyJobId('b1x', 0)).toBe('b1x-0');
    expect(classifyJobId('b1x', 41)).toBe('b1x-41');
    expect(classifyJobId('b1x', 3)).not.toContain(':');
  });

  it('retries transient failures with exponential backoff', () => {
    expect(classifyJobOptions.attempts).toBeGreaterThan(1);
    expect(classifyJobOptions.backoff.type).toBe('exponential');
  });
});
