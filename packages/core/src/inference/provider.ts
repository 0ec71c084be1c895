/**
 * Which execution provider a session asks for, and with which options: ONE value, built from the
 * worker's config once (providerSpecOf) and carried unopened through the pipeline settings, the
 * classifier and the inference thread to the place that opens the session (session.ts). A new
 * provider option is a config variable plus a line here, not a field threaded through every layer.
 */
import type * as ort from 'onnxruntime-node';
import type { ExecutionProvider, WorkerConfig } from '../config.js';

/** Options of one provider, passed to onnxruntime as given (it refuses keys it does not know). */
export type ProviderOptions = Readonly<Record<string, string | number | boolean | readonly string[]>>;

export interface ProviderSpec {
  readonly ep: ExecutionProvider;
  readonly options?: ProviderOptions;
}

export const CPU_PROVIDER: ProviderSpec = { ep: 'cpu' };

export type ProviderConfig = Pick<WorkerConfig, 'ORT_EP'> &
  Partial<Pick<WorkerConfig, 'CUDA_DEVICE_ID' | 'WEBGPU_PREFERRED_LAYOUT' | 'WEBGPU_VALIDATION_MODE'>>;

/** The provider a worker with this config asks for; options only for the provider in use. */
export function providerSpecOf(config: ProviderConfig): ProviderSpec {
  switch (config.ORT_EP) {
    case 'cpu':
      return CPU_PROVIDER;
    case 'cuda':
      return { ep: 'cuda', options: { deviceId: config.CUDA_DEVICE_ID ?? 0 } };
    case 'webgpu': {
      const options: Record<string, string> = {};
      if (config.WEBGPU_PREFERRED_LAYOUT) options.preferredLayout = config.WEBGPU_PREFERRED_LAYOUT;
      if (config.WEBGPU_VALIDATION_MODE) options.validationMode = config.WEBGPU_VALIDATION_MODE;
      return Object.keys(options).length > 0 ? { ep: 'webgpu', options } : { ep: 'webgpu' };
    }
  }
}

/** onnxruntime's executionProviders list for a spec. */
export function ortExecutionProviders(spec: ProviderSpec): ort.InferenceSession.ExecutionProviderConfig[] {
  if (!spec.options || Object.keys(spec.options).length === 0) return [spec.ep];
  return [{ name: spec.ep, ...spec.options } as ort.InferenceSession.ExecutionProviderConfig];
}

/** "webgpu (preferredLayout=NHWC)": for logs and reports. */
export function describeProvider(spec: ProviderSpec): string {
  const options = Object.entries(spec.options ?? {}).map(([k, v]) => `${k}=${String(v)}`);
  return options.length > 0 ? `${spec.ep} (${options.join(', ')})` : spec.ep;
}
