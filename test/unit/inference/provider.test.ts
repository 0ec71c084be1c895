/** The provider spec: built once from the worker config, handed to onnxruntime as one list entry. */
import { describe, expect, it } from 'vitest';
import { CPU_PROVIDER, describeProvider, loadWorkerConfig, providerSpecOf, workerPipelineSettings } from '@hourglass/core';
import { ortExecutionProviders } from '@hourglass/core/testing';

describe('provider spec', () => {
  it('carries only the options of the provider in use', () => {
    expect(providerSpecOf({ ORT_EP: 'cpu', CUDA_DEVICE_ID: 3, WEBGPU_PREFERRED_LAYOUT: 'NHWC' })).toEqual(CPU_PROVIDER);
    expect(providerSpecOf({ ORT_EP: 'cuda', CUDA_DEVICE_ID: 3, WEBGPU_PREFERRED_LAYOUT: 'NHWC' })).toEqual({ ep: 'cuda', options: { deviceId: 3 } });
    expect(providerSpecOf({ ORT_EP: 'webgpu', CUDA_DEVICE_ID: 3 })).toEqual({ ep: 'webgpu' });
    expect(providerSpecOf({ ORT_EP: 'webgpu', WEBGPU_PREFERRED_LAYOUT: 'NCHW', WEBGPU_VALIDATION_MODE: 'disabled' })).toEqual({
      ep: 'webgpu',
      options: { preferredLayout: 'NCHW', validationMode: 'disabled' },
    });
  });

  it('maps to onnxruntime: a bare name without options, one named object with them', () => {
    expect(ortExecutionProviders({ ep: 'webgpu' })).toEqual(['webgpu']);
    expect(ortExecutionProviders({ ep: 'webgpu', options: { preferredLayout: 'NHWC' } })).toEqual([{ name: 'webgpu', preferredLayout: 'NHWC' }]);
    expect(describeProvider({ ep: 'webgpu', options: { preferredLayout: 'NHWC' } })).toBe('webgpu (preferredLayout=NHWC)');
  });

  it('the worker config is parsed into the pipeline settings once (empty values mean unset; bad ones are refused)', () => {
    const config = loadWorkerConfig({ ORT_EP: 'webgpu', WEBGPU_PREFERRED_LAYOUT: 'NHWC', WEBGPU_VALIDATION_MODE: '' });
    expect(workerPipelineSettings(config, { batching: { size: 16, timeoutMs: 10 } }, 4).provider).toEqual({
      ep: 'webgpu',
      options: { preferredLayout: 'NHWC' },
    });
    expect(() => loadWorkerConfig({ ORT_EP: 'webgpu', WEBGPU_PREFERRED_LAYOUT: 'NWHC' })).toThrow(/WEBGPU_PREFERRED_LAYOUT/);
  });
});
