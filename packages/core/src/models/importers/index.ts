/**
 * @hourglass/core/importers: converting TF.js / Keras / TF graph models (the bundled nsfwjs ones
 * among them) to ONNX. Tooling for `hourglass models import` and scripts; the services never import it.
 */
export * from './nsfwjs-bundled.js';
export * from './nsfwjs-package.js';
export * from './tfjs-artifacts.js';
export * from './tfjs-weights.js';
export * from './keras-to-onnx.js';
export * from './tf-graph-to-onnx.js';
export type { ConvertedModel, ConvertOptions } from './converted-model.js';
