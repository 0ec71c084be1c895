/** The worker's pipeline settings, derived once from its config and the cores it may use. */
import { describe, expect, it } from 'vitest';
import { loadWorkerConfig, workerPipelineSettings } from '@hourglass/core';

const manifest = { batching: { size: 16, timeoutMs: 10 } };

describe('workerPipelineSettings', () => {
  it('keeps 2 × S × B images in flight: one micro-batch running and one decoding per session', () => {
    const settings = workerPipelineSettings(loadWorkerConfig({}), manifest, 2);
    expect(settings).toMatchObject({ inferenceSessions: 2, intraOpThreads: 1, batchSize: 16, concurrency: 64, preprocessConcurrency: 4 });
    expect(workerPipelineSettings(loadWorkerConfig({ BATCH_SIZE: '8', INTRA_OP_THREADS: '2' }), manifest, 2)).toMatchObject({
      inferenceSessions: 1,
      concurrency: 16,
    });
  });

  it('sizes everything from CPU_CORES, not the cores node sees, in a container', () => {
    const cpu = loadWorkerConfig({ CPU_CORES: '2' });
    expect(workerPipelineSettings(cpu, manifest, 64)).toEqual(workerPipelineSettings(cpu, manifest, 2));
    // A GPU worker decodes on every core it has to keep the device fed: the limit's, not the host's.
    const gpu = loadWorkerConfig({ ORT_EP: 'webgpu', CPU_CORES: '8' });
    expect(workerPipelineSettings(gpu, manifest, 64)).toMatchObject({ inferenceSessions: 1, intraOpThreads: 8, preprocessConcurrency: 8 });
    expect(workerPipelineSettings(loadWorkerConfig({ ORT_EP: 'webgpu' }), manifest, 64).preprocessConcurrency).toBe(64);
  });
});
