/**
 * Imported first by the worker's entry point, before anything that loads onnxruntime: sets the
 * runtime's telemetry opt-out unless HOURGLASS_ORT_TELEMETRY=on (see core's ort-telemetry.ts).
 */
import { applyOrtTelemetryOptOut } from '@hourglass/core/ort-telemetry';

applyOrtTelemetryOptOut();
