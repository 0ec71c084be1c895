/**
 * Bounds and defaults that the configuration schemas and the code they configure share. A leaf:
 * it imports nothing, so config.ts (imported by every layer) can read them without reaching up
 * into the modules that enforce them.
 */

/** Most images one classify job may hold (`chunkSize`, DEFAULT_CHUNK_SIZE). */
export const MAX_CHUNK_SIZE = 256;

/** How long a completed batch's meta and results are kept unless configured (RESULTS_TTL_SECONDS). */
export const DEFAULT_RESULTS_TTL_SECONDS = 7 * 24 * 3600;
