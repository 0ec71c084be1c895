/**
 * One private redis-server for the whole run, on an ephemeral port (never the shared 6379, never
 * flushed). Tests isolate themselves with a unique key prefix (see test/helpers/redis.ts).
 */
import type { TestProject } from 'vitest/node';
import { startRedisServer, type RedisServerHandle } from '@hourglass/core/testing';

let server: RedisServerHandle | undefined;

export async function setup(project: TestProject): Promise<void> {
  server = await startRedisServer();
  project.provide('redisUrl', server.url);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}
