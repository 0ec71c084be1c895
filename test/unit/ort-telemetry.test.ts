/** onnxruntime's telemetry opt-out: set by default, left to the operator with HOURGLASS_ORT_TELEMETRY=on. */
import { describe, expect, it } from 'vitest';
import { applyOrtTelemetryOptOut, loadWorkerConfig, withOrtTelemetryOptOut } from '@hourglass/core';

describe('onnxruntime telemetry opt-out', () => {
  it('adds both variables (1.30 reads ORT_DISABLE_TELEMETRY, later releases ORT_TELEMETRY_DISABLED) to a child env', () => {
    expect(withOrtTelemetryOptOut({ PATH: '/bin' })).toEqual({ PATH: '/bin', ORT_DISABLE_TELEMETRY: '1', ORT_TELEMETRY_DISABLED: '1' });
  });

  it('leaves alone what the operator set, and everything with HOURGLASS_ORT_TELEMETRY=on', () => {
    expect(withOrtTelemetryOptOut({ ORT_DISABLE_TELEMETRY: '0' })).toEqual({ ORT_DISABLE_TELEMETRY: '0', ORT_TELEMETRY_DISABLED: '1' });
    expect(withOrtTelemetryOptOut({ HOURGLASS_ORT_TELEMETRY: 'on' })).toEqual({ HOURGLASS_ORT_TELEMETRY: 'on' });
    const env: NodeJS.ProcessEnv = {};
    applyOrtTelemetryOptOut(env);
    expect(env).toEqual({ ORT_DISABLE_TELEMETRY: '1', ORT_TELEMETRY_DISABLED: '1' });
    const allowed: NodeJS.ProcessEnv = { HOURGLASS_ORT_TELEMETRY: 'on' };
    applyOrtTelemetryOptOut(allowed);
    expect(allowed).toEqual({ HOURGLASS_ORT_TELEMETRY: 'on' });
  });

  it('HOURGLASS_ORT_TELEMETRY is a config variable: off by default, on or off only', () => {
    expect(loadWorkerConfig({}).HOURGLASS_ORT_TELEMETRY).toBe('off');
    expect(() => loadWorkerConfig({ HOURGLASS_ORT_TELEMETRY: 'yes' })).toThrow(/HOURGLASS_ORT_TELEMETRY/);
  });
});
