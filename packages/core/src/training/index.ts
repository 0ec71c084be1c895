/** Train jobs: datasets, features, the head, merging it into the backbone graph. */
export * from './random.js';
export * from './split.js';
export * from './head.js';
export * from './adam.js';
export * from './train-head.js';
export * from './merge.js';
export * from './datasets.js';
export * from './dataset-registry.js';
export * from './feature-cache.js';
export * from './features.js';
export * from './train-job.js';
export * from './train-store.js';
export * from './train-features.js';
export * from './run-training.js';
export * from './fashion-mnist.js';
export * from './archives.js';
