/**
 * onnxruntime >= 1.29 sends usage telemetry from Linux too (a 1DS uploader to
 * mobile.events.data.microsoft.com: process info, session, model and execution-provider events,
 * and a device id persisted on disk). A self-hosted service should not phone home unless its
 * operator asks: every hourglass process that may load onnxruntime sets the opt-out before the
 * runtime initialises, unless HOURGLASS_ORT_TELEMETRY=on.
 *
 * The variables: onnxruntime-node 1.30's native library reads ORT_DISABLE_TELEMETRY (its only
 * telemetry variable, checked in the shipped binary); later releases renamed it
 * ORT_TELEMETRY_DISABLED. Both are set; a value the operator already set is left alone.
 *
 * No imports on purpose: entry points load this before anything that loads onnxruntime.
 */

/** The opt-out variables, as the process environment must hold them before onnxruntime starts. */
export const ORT_TELEMETRY_OPT_OUT: Readonly<Record<string, string>> = { ORT_DISABLE_TELEMETRY: '1', ORT_TELEMETRY_DISABLED: '1' };

/** HOURGLASS_ORT_TELEMETRY=on lets onnxruntime send its telemetry; anything else (default off) opts out. */
export function ortTelemetryAllowed(env: NodeJS.ProcessEnv): boolean {
  return env.HOURGLASS_ORT_TELEMETRY === 'on';
}

/** A copy of `env` with the opt-out added (for a child process about to start). */
export function withOrtTelemetryOptOut(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (ortTelemetryAllowed(env)) return env;
  const out: NodeJS.ProcessEnv = { ...env };
  for (const [name, value] of Object.entries(ORT_TELEMETRY_OPT_OUT)) out[name] ??= value;
  return out;
}

/** Sets the opt-out in this process's environment (before onnxruntime's first session). */
export function applyOrtTelemetryOptOut(env: NodeJS.ProcessEnv = process.env): void {
  if (ortTelemetryAllowed(env)) return;
  for (const [name, value] of Object.entries(ORT_TELEMETRY_OPT_OUT)) env[name] ??= value;
}
