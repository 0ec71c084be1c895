/**
 * A deadline for Redis reads that an unauthenticated probe triggers (/metrics, /healthz): while
 * Redis is away ioredis queues commands and retries, so an answer could take as long as its retry
 * policy. The probe should say "Redis is away" within about a second instead.
 */
import { AppError } from '@hourglass/core';

export const PROBE_REDIS_TIMEOUT_MS = 1_000;

export function withDeadline<T>(work: Promise<T>, ms = PROBE_REDIS_TIMEOUT_MS): Promise<T> {
  work.catch(() => undefined);
  return Promise.race([
    work,
    new Promise<T>((_resolve, reject) => setTimeout(() => reject(new AppError('REDIS_UNAVAILABLE', `Redis did not answer within ${ms} ms`)), ms).unref()),
  ]);
}
