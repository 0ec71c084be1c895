import { describe, expect, it } from 'vitest';
import { loadWorkerConfig, parseEnv, apiEnvSchema } from '@hourglass/core';

describe('Redis Cluster and queue shard config', () => {
  it('defaults to one Redis and one queue per model', () => {
    const config = loadWorkerConfig({});
    expect(config.REDIS_CLUSTER_NODES).toBeUndefined();
    expect(config.QUEUE_SHARDS).toBe(1);
    expect(loadWorkerConfig({ REDIS_CLUSTER_NODES: ' ' }).REDIS_CLUSTER_NODES).toBeUndefined();
  });

  it('parses REDIS_CLUSTER_NODES once into host/port seeds', () => {
    const config = parseEnv(apiEnvSchema, { HOURGLASS_AUTH: 'off', REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-1.svc:7001,[::1]:7002', QUEUE_SHARDS: '3' });
    expect(config.REDIS_CLUSTER_NODES).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: 'redis-1.svc', port: 7001 },
      { host: '::1', port: 7002 },
    ]);
    expect(config.QUEUE_SHARDS).toBe(3);
  });

  it('names what is wrong', () => {
    for (const bad of ['localhost', 'redis://a:1', 'a:0', 'a:70000', 'a:1,b']) {
      expect(() => loadWorkerConfig({ REDIS_CLUSTER_NODES: bad }), bad).toThrow(/REDIS_CLUSTER_NODES: .* is not host:port/);
    }
    expect(() => loadWorkerConfig({ QUEUE_SHARDS: '0' })).toThrow(/QUEUE_SHARDS/);
    expect(() => loadWorkerConfig({ QUEUE_SHARDS: '65' })).toThrow(/QUEUE_SHARDS/);
  });
});
