import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError, MAX_CHUNK_SIZE, loadApiConfig, loadWorkerConfig, parseEnv } from '@hourglass/core';
import { knownEnvNames, commonEnvSchema } from '@hourglass/core/testing';

function configError(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('CONFIG_INVALID');
    return error as AppError;
  }
  throw new Error('expected CONFIG_INVALID, nothing was thrown');
}

describe('worker config', () => {
  it('fills defaults from an empty environment', () => {
    const config = loadWorkerConfig({});
    expect(config).toMatchObject({
      REDIS_URL: 'redis://127.0.0.1:6379',
      HOURGLASS_PREFIX: 'hg',
      LOG_LEVEL: 'info',
      ORT_EP: 'cpu',
      CUDA_DEVICE_ID: 0,
      WORKERS_PER_HOST: 1,
      MAX_INPUT_PIXELS: 64_000_000,
      SHUTDOWN_GRACE_MS: 30_000,
      HEARTBEAT_INTERVAL_MS: 5_000,
      LOCK_DURATION_MS: 15_000,
      STALLED_INTERVAL_MS: 5_000,
      RESULTS_TTL_SECONDS: 604_800,
    });
    expect(config.DATA_ROOT).toBe(path.resolve('./data'));
    expect(config.MODELS_DIR).toBe(path.resolve('./models'));
    // Unset means "use the manifest's / derive it": these must stay undefined, not get a default.
    expect(config.BATCH_SIZE).toBeUndefined();
    expect(config.BATCH_TIMEOUT_MS).toBeUndefined();
    expect(config.INTRA_OP_THREADS).toBeUndefined();
    expect(config.INFERENCE_SESSIONS).toBeUndefined();
    expect(config.CPU_CORES).toBeUndefined();
    expect(config.MODEL).toBeUndefined();
    expect(config.WORKER_HTTP_PORT).toBeUndefined();
  });

  it('coerces numbers from strings and resolves paths to absolute ones', () => {
    const config = loadWorkerConfig({
      BATCH_SIZE: '32',
      BATCH_TIMEOUT_MS: '0',
      INTRA_OP_THREADS: '2',
      INFERENCE_SESSIONS: '3',
      CPU_CORES: '6',
      WORKER_HTTP_PORT: '0',
      DATA_ROOT: 'rel/images',
      MODELS_DIR: '/srv/models',
      ORT_EP: 'webgpu',
      MODEL: 'colour',
    });
    expect(config.BATCH_SIZE).toBe(32);
    expect(config.BATCH_TIMEOUT_MS).toBe(0);
    expect(config.INTRA_OP_THREADS).toBe(2);
    expect(config.INFERENCE_SESSIONS).toBe(3);
    expect(config.CPU_CORES).toBe(6);
    expect(config.WORKER_HTTP_PORT).toBe(0);
    expect(config.DATA_ROOT).toBe(path.resolve('rel/images'));
    expect(path.isAbsolute(config.DATA_ROOT)).toBe(true);
    expect(config.MODELS_DIR).toBe('/srv/models');
    expect(config.ORT_EP).toBe('webgpu');
    expect(config.MODEL).toBe('colour');
  });

  it('lists every invalid value at once', () => {
    const error = configError(() =>
      loadWorkerConfig({
        BATCH_SIZE: '0',
        ORT_EP: 'tpu',
        MAX_INPUT_PIXELS: 'lots',
        BATCH_TIMEOUT_MS: '-1',
        REDIS_URL: 'not a url',
        HOURGLASS_PREFIX: 'has:colon',
      }),
    );
    for (const name of ['BATCH_SIZE', 'ORT_EP', 'MAX_INPUT_PIXELS', 'BATCH_TIMEOUT_MS', 'REDIS_URL', 'HOURGLASS_PREFIX']) {
      expect(error.message).toContain(name);
    }
  });

  it('rejects fractional and out-of-range numbers', () => {
    expect(configError(() => loadWorkerConfig({ BATCH_SIZE: '2.5' })).message).toContain('BATCH_SIZE');
    expect(configError(() => loadWorkerConfig({ BATCH_SIZE: '1025' })).message).toContain('BATCH_SIZE');
    expect(configError(() => loadWorkerConfig({ BATCH_TIMEOUT_MS: '10001' })).message).toContain('BATCH_TIMEOUT_MS');
    expect(configError(() => loadWorkerConfig({ LOG_LEVEL: 'loud' })).message).toContain('LOG_LEVEL');
  });

  it('takes 1-64 inference sessions, and more than one only on inference threads', () => {
    expect(configError(() => loadWorkerConfig({ INFERENCE_SESSIONS: '0' })).message).toContain('INFERENCE_SESSIONS');
    expect(configError(() => loadWorkerConfig({ INFERENCE_SESSIONS: '65' })).message).toContain('INFERENCE_SESSIONS');
    expect(configError(() => loadWorkerConfig({ CPU_CORES: '0' })).message).toContain('CPU_CORES');
    expect(configError(() => loadWorkerConfig({ CPU_CORES: '1.5' })).message).toContain('CPU_CORES');
    expect(configError(() => loadWorkerConfig({ INFERENCE_SESSIONS: '2', INFERENCE_THREAD: 'main' })).message).toContain('INFERENCE_THREAD=worker');
    expect(loadWorkerConfig({ INFERENCE_SESSIONS: '1', INFERENCE_THREAD: 'main' }).INFERENCE_SESSIONS).toBe(1);
  });

  it('keeps results at least a minute, in whole seconds', () => {
    expect(loadWorkerConfig({ RESULTS_TTL_SECONDS: '60' }).RESULTS_TTL_SECONDS).toBe(60);
    expect(loadWorkerConfig({ RESULTS_TTL_SECONDS: '86400' }).RESULTS_TTL_SECONDS).toBe(86_400);
    for (const bad of ['59', '0', '-1', '3600.5', 'a week']) {
      expect(configError(() => loadWorkerConfig({ RESULTS_TTL_SECONDS: bad })).message).toContain('RESULTS_TTL_SECONDS');
    }
  });
});

describe('api config', () => {
  const K = 'key-0123456789abcdef';
  it('needs API keys while authentication is on', () => {
    const error = configError(() => loadApiConfig({}));
    expect(error.message).toContain('HOURGLASS_API_KEYS');
    // Blank entries are not keys.
    configError(() => loadApiConfig({ HOURGLASS_API_KEYS: ' , ,' }));
    configError(() => loadApiConfig({ HOURGLASS_API_KEYS: '', HOURGLASS_AUTH: 'on' }));
  });

  it('runs without keys only when HOURGLASS_AUTH=off says so', () => {
    const config = loadApiConfig({ HOURGLASS_AUTH: 'off' });
    expect(config.HOURGLASS_AUTH).toBe('off');
    expect(config.HOURGLASS_API_KEYS).toEqual([]);
  });

  it('splits keys on commas, trimming blanks', () => {
    const config = loadApiConfig({ HOURGLASS_API_KEYS: ` ${K}1 ,${K}2,, ${K}3 ` });
    expect(config.HOURGLASS_API_KEYS).toEqual([`${K}1`, `${K}2`, `${K}3`]);
  });

  it('refuses to start with a key shorter than 16 characters, tenant or admin', () => {
    expect(configError(() => loadApiConfig({ HOURGLASS_API_KEYS: 'ab' })).message).toMatch(/HOURGLASS_API_KEYS: every key needs at least 16 characters/);
    expect(configError(() => loadApiConfig({ HOURGLASS_API_KEYS: `${K},short-key-15chr` })).message).toContain('HOURGLASS_API_KEYS');
    expect(configError(() => loadApiConfig({ HOURGLASS_API_KEYS: K, HOURGLASS_ADMIN_KEYS: 'admin' })).message).toContain('HOURGLASS_ADMIN_KEYS');
    expect(loadApiConfig({ HOURGLASS_API_KEYS: 'exactly-16-chars' }).HOURGLASS_API_KEYS).toEqual(['exactly-16-chars']);
  });

  it('admin keys alone are enough to start; both lists are kept apart', () => {
    const config = loadApiConfig({ HOURGLASS_ADMIN_KEYS: `${K}-admin` });
    expect(config.HOURGLASS_API_KEYS).toEqual([]);
    expect(config.HOURGLASS_ADMIN_KEYS).toEqual([`${K}-admin`]);
  });

  it('fills defaults and coerces the port', () => {
    const config = loadApiConfig({ HOURGLASS_API_KEYS: K, PORT: '8080' });
    expect(config).toMatchObject({ PORT: 8080, HOST: '0.0.0.0', HOURGLASS_AUTH: 'on', MAX_BATCH_IMAGES: 100_000, MAX_UPLOAD_FILES: 1_000 });
    expect(loadApiConfig({ HOURGLASS_API_KEYS: K }).PORT).toBe(3000);
    expect(configError(() => loadApiConfig({ HOURGLASS_API_KEYS: K, PORT: '70000' })).message).toContain('PORT');
    expect(configError(() => loadApiConfig({ HOURGLASS_API_KEYS: K, HOURGLASS_AUTH: 'maybe' })).message).toContain('HOURGLASS_AUTH');
  });

  it("DEFAULT_CHUNK_SIZE: auto unless set, else within the limits of a request's own chunkSize", () => {
    expect(loadApiConfig({ HOURGLASS_API_KEYS: K }).DEFAULT_CHUNK_SIZE).toBe('auto');
    expect(loadApiConfig({ HOURGLASS_API_KEYS: K, DEFAULT_CHUNK_SIZE: 'auto' }).DEFAULT_CHUNK_SIZE).toBe('auto');
    expect(loadApiConfig({ HOURGLASS_API_KEYS: K, DEFAULT_CHUNK_SIZE: '1' }).DEFAULT_CHUNK_SIZE).toBe(1);
    expect(loadApiConfig({ HOURGLASS_API_KEYS: K, DEFAULT_CHUNK_SIZE: '16' }).DEFAULT_CHUNK_SIZE).toBe(16);
    expect(loadApiConfig({ HOURGLASS_API_KEYS: K, DEFAULT_CHUNK_SIZE: String(MAX_CHUNK_SIZE) }).DEFAULT_CHUNK_SIZE).toBe(MAX_CHUNK_SIZE);
    for (const bad of ['0', String(MAX_CHUNK_SIZE + 1), '1.5', 'lots', 'AUTO']) {
      expect(configError(() => loadApiConfig({ HOURGLASS_API_KEYS: K, DEFAULT_CHUNK_SIZE: bad })).message).toContain('DEFAULT_CHUNK_SIZE');
    }
  });
});

describe('parseEnv', () => {
  it('parses with any schema and reports the schema problems', () => {
    expect(parseEnv(commonEnvSchema, { HOURGLASS_PREFIX: 'prod_1' }).HOURGLASS_PREFIX).toBe('prod_1');
    expect(configError(() => parseEnv(commonEnvSchema, { HOURGLASS_PREFIX: '' })).message).toContain('HOURGLASS_PREFIX');
  });
});

describe('knownEnvNames', () => {
  it('lists the contract variables of both apps once each', () => {
    for (const name of ['REDIS_URL', 'PORT', 'DATA_ROOT', 'MODELS_DIR', 'HOURGLASS_API_KEYS', 'ORT_EP', 'MODEL']) expect(knownEnvNames).toContain(name);
    expect(new Set(knownEnvNames).size).toBe(knownEnvNames.length);
  });
});
