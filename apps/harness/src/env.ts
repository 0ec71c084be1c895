/**
 * The harness's environment: the client's (DATA_ROOT, MODELS_DIR: core's fields and defaults,
 * ./data and ./models) plus what starting a local system reads. Parsed once per environment
 * object (harnessEnv memoises), so every command of a run sees the same values and defaults. The
 * raw environment is still passed on, whole, to the workers a harness spawns.
 */
import { parseEnv } from '@hourglass/core';
import { commonEnvSchema, workerEnvSchema } from '@hourglass/core/testing';
import { cliEnvSchema } from '@hourglass/cli';
import { z } from 'zod';

const unsetIfEmpty = (value: unknown): unknown => (value === '' ? undefined : value);

export const harnessEnvSchema = cliEnvSchema.pick({ DATA_ROOT: true, MODELS_DIR: true }).extend({
  /** An existing Redis to use; unset: the harness starts a private redis-server (the demo first tries 127.0.0.1:6379). */
  REDIS_URL: z.preprocess(unsetIfEmpty, z.string().url().optional()),
  /** The workers' prefix, for `bench --external` against a fleet already running. */
  HOURGLASS_PREFIX: commonEnvSchema.shape.HOURGLASS_PREFIX,
  /** The demo's API port; unset: 3000 when free, else any free port. */
  PORT: z.preprocess(unsetIfEmpty, z.coerce.number().int().min(0).max(65535).optional()),
  /** Quieter than the services' default: a harness prints its own progress and report. */
  LOG_LEVEL: commonEnvSchema.shape.LOG_LEVEL.unwrap().default('warn'),
  /** Heartbeats carry the rate the auto chunk size is chosen from: a bench wants fresh ones after the warm-up. */
  HEARTBEAT_INTERVAL_MS: z.coerce.number().int().positive().default(1_000),
  /** chaos: the workers' lock and stall check, with the worker's own defaults. */
  LOCK_DURATION_MS: workerEnvSchema.shape.LOCK_DURATION_MS,
  STALLED_INTERVAL_MS: workerEnvSchema.shape.STALLED_INTERVAL_MS,
});

export type HarnessEnv = z.infer<typeof harnessEnvSchema>;

const parsed = new WeakMap<NodeJS.ProcessEnv, HarnessEnv>();

/** The harness settings in `raw` (process.env unless a caller passes its own), parsed on first use. */
export function harnessEnv(raw: NodeJS.ProcessEnv = process.env): HarnessEnv {
  let env = parsed.get(raw);
  if (!env) {
    env = parseEnv(harnessEnvSchema, raw);
    parsed.set(raw, env);
  }
  return env;
}
