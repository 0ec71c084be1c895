/** Bring your own ONNX model: inspection, validation by a dummy run, registration, listing facts. */
export * from './options.js';
export * from './inspect.js';
export * from './export-folder.js';
export * from './dummy-run.js';
export * from './register.js';
export * from './facts.js';
