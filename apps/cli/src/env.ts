/**
 * The client command line's environment, parsed once per process (main.ts, through processIo).
 * DATA_ROOT and MODELS_DIR are core's own fields (commonEnvSchema), so the CLI, the harness, the
 * API and the worker share one default for each: ./data and ./models, resolved against the
 * working directory. An empty value counts as unset, as the commands always treated it.
 */
import { parseEnv } from '@hourglass/core';
import { commonEnvSchema } from '@hourglass/core/testing';
import { z } from 'zod';

const unsetIfEmpty = (value: unknown): unknown => (value === '' ? undefined : value);

export const cliEnvSchema = z.object({
  /** The API's base URL; --url wins. Checked where the client is built, so a bad one is a usage error. */
  HOURGLASS_URL: z.preprocess(unsetIfEmpty, z.string().default('http://127.0.0.1:3000')),
  /** The API key sent as a bearer token; --key wins. */
  HOURGLASS_API_KEY: z.preprocess(unsetIfEmpty, z.string().optional()),
  DATA_ROOT: z.preprocess(unsetIfEmpty, commonEnvSchema.shape.DATA_ROOT),
  MODELS_DIR: z.preprocess(unsetIfEmpty, commonEnvSchema.shape.MODELS_DIR),
});

export interface CliEnv extends z.infer<typeof cliEnvSchema> {
  /**
   * Whether DATA_ROOT was set: `submit --paths` without it sends the paths as given (already
   * relative to the server's DATA_ROOT) instead of making them relative to ./data.
   */
  dataRootIsSet: boolean;
}

export function loadCliEnv(raw: NodeJS.ProcessEnv = process.env): CliEnv {
  return { ...parseEnv(cliEnvSchema, raw), dataRootIsSet: unsetIfEmpty(raw.DATA_ROOT) !== undefined };
}
