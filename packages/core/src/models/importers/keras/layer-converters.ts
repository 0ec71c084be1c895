/** Keras layer class → its converter: the set of layers the importer supports. */
import { convertActivation, convertLeakyReLU, convertReLU } from './activation-layers.js';
import { convertBatchNormalization } from './batch-norm.js';
import type { LayerConverter } from './conversion.js';
import { convertConv2D, convertDepthwiseConv2D, convertZeroPadding2D } from './conv-layers.js';
import { IDENTITY_LAYERS, convertDense, convertFlatten, convertIdentity, convertInputLayer } from './core-layers.js';
import { convertAdd, convertConcatenate } from './merge-layers.js';
import { convertGlobalPooling2D, convertPooling2D } from './pooling-layers.js';

export const LAYER_CONVERTERS: ReadonlyMap<string, LayerConverter> = new Map<string, LayerConverter>([
  ['InputLayer', convertInputLayer],
  ['Conv2D', convertConv2D],
  ['DepthwiseConv2D', convertDepthwiseConv2D],
  ['BatchNormalization', convertBatchNormalization],
  ['ReLU', convertReLU],
  ['LeakyReLU', convertLeakyReLU],
  ['Activation', convertActivation],
  ['Add', convertAdd],
  ['Concatenate', convertConcatenate],
  ['ZeroPadding2D', convertZeroPadding2D],
  ['MaxPooling2D', convertPooling2D],
  ['AveragePooling2D', convertPooling2D],
  ['GlobalAveragePooling2D', convertGlobalPooling2D],
  ['GlobalMaxPooling2D', convertGlobalPooling2D],
  ['Flatten', convertFlatten],
  ['Dense', convertDense],
  ...IDENTITY_LAYERS.map((name): [string, LayerConverter] => [name, convertIdentity]),
]);
