/**
 * Imported first by the harness's entry point (the bench, the demo and the experiment open ONNX
 * sessions in-process), before anything that loads onnxruntime: sets the runtime's telemetry
 * opt-out unless HOURGLASS_ORT_TELEMETRY=on (see core's ort-telemetry.ts).
 */
import { applyOrtTelemetryOptOut } from '@hourglass/core/ort-telemetry';

applyOrtTelemetryOptOut();
