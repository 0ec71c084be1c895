/**
 * The importers read activation and op names from the model file. A name that happens to be an
 * Object.prototype property (`constructor`, `toString`, `__proto__`) is just an unsupported name:
 * MODEL_INVALID naming the layer or node, never a crash inside the converter. A supported
 * activation still converts to a graph that runs.
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { AppError } from '@hourglass/core';
import { convertKerasModel, convertTfGraphModel, type WeightMap } from '@hourglass/core/importers';

const OPTIONS = { graphName: 'tiny' };

/** Sequential: 4×4×3 input → global average pool → Dense(2) with `activation`. */
function kerasModel(activation: string): { topology: unknown; weights: WeightMap } {
  const topology = {
    class_name: 'Sequential',
    config: {
      layers: [
        { class_name: 'GlobalAveragePooling2D', name: 'gap', config: { batch_input_shape: [null, 4, 4, 3], data_format: 'channels_last' } },
        { class_name: 'Dense', name: 'fc', config: { units: 2, activation, use_bias: true } },
      ],
    },
  };
  const weights: WeightMap = new Map([
    ['fc/kernel', { shape: [3, 2], data: Float32Array.from([1, 0, 0, 1, 0, 0]) }],
    ['fc/bias', { shape: [2], data: Float32Array.from([0, 0]) }],
  ]);
  return { topology, weights };
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return `${error.code}: ${error.message}`;
    throw error;
  }
  return undefined;
}

describe('importer name lookups', () => {
  it('a supported Keras activation converts, and the graph runs', async () => {
    const { topology, weights } = kerasModel('softmax');
    const converted = convertKerasModel(topology, weights, OPTIONS);
    expect(converted.output).toMatchObject({ size: 2, kind: 'probabilities' });
    const session = await ort.InferenceSession.create(converted.onnx);
    try {
      // Channel 0 = 1, others 0 everywhere: pooled [1, 0, 0] → logits [1, 0] → softmax.
      const input = new Float32Array(3 * 4 * 4);
      input.fill(1, 0, 16);
      const out = await session.run({ [converted.input.name]: new ort.Tensor('float32', input, [1, 3, 4, 4]) });
      const probabilities = Array.from(out[converted.output.name]!.data as Float32Array);
      expect(probabilities[0]).toBeCloseTo(Math.E / (Math.E + 1), 5);
      expect(probabilities[1]).toBeCloseTo(1 / (Math.E + 1), 5);
    } finally {
      await session.release();
    }
  });

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])('Keras activation "%s" is MODEL_INVALID, not a crash', (name) => {
    const { topology, weights } = kerasModel(name);
    const failure = codeOf(() => convertKerasModel(topology, weights, OPTIONS));
    expect(failure).toMatch(/^MODEL_INVALID: .*fc.*not supported/);
  });

  it.each(['constructor', 'toString', '__proto__', 'valueOf'])('TF graph op "%s" is MODEL_INVALID, not a crash', (op) => {
    const topology = {
      node: [
        { name: 'x', op: 'Placeholder', attr: { shape: { shape: { dim: [{ size: '-1' }, { size: '4' }, { size: '4' }, { size: '3' }] } } } },
        { name: 'y', op, input: ['x'] },
      ],
    };
    const failure = codeOf(() => convertTfGraphModel(topology, new Map(), { ...OPTIONS, signature: { outputs: { out: { name: 'y:0' } } } }));
    expect(failure).toMatch(/^MODEL_INVALID: .*y.*not supported/);
  });
});
