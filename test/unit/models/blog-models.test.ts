/**
 * The generated blog architectures match timm's published size and cost: parameters counted from
 * the file's float initializers, MACs from its Conv/MatMul/Gemm shapes (graphCost), against
 * timm's figures with the 1,000-class heads at 224² (rounded as published: 7.8 M / 0.3 G,
 * 18.9 M / 1.1 G, 86.5 M / 17.6 G). The LeViTs also run in onnxruntime (shapes are consistent).
 */
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { BLOG_MODELS, GraphBuilder, attr, buildBlogModel, graphCost, parseManifest, type BlogModelName } from '@hourglass/core/testing';

// Half a unit of the last published digit: 7.8 M means 7.75-7.85 M.
const within = (value: number, published: number, halfUnit: number): void => {
  expect(value).toBeGreaterThanOrEqual(published - halfUnit);
  expect(value).toBeLessThan(published + halfUnit);
};

describe('generated blog architectures', () => {
  it.each(Object.keys(BLOG_MODELS) as BlogModelName[])(
    '%s: parameters and MACs as timm publishes them',
    async (name) => {
      const facts = BLOG_MODELS[name];
      const { manifest, onnx, params } = buildBlogModel(name);
      const cost = graphCost(onnx);
      expect(cost.params).toBe(params);
      within(cost.params / 1e6, facts.params, 0.05);
      within(cost.macs / 1e9, facts.gmacs, 0.05);
      // Nearly all the work is in the transformer's matrix products.
      expect(cost.macsByOp.MatMul!).toBeGreaterThan(cost.macs * 0.5);
      const parsed = parseManifest(manifest, `${name}/model.json`);
      expect(parsed.labels).toHaveLength(1000);
      expect(parsed.description).toMatch(/RANDOM weights: speed measurements only/);
      expect(parsed.source.kind).toBe('generated');
      if (name !== 'beit-base-gen') {
        const session = await ort.InferenceSession.create(onnx, { intraOpNumThreads: 1 });
        const out = await session.run({ input: new ort.Tensor('float32', new Float32Array(2 * 3 * 224 * 224).fill(0.5), [2, 3, 224, 224]) });
        expect(out.logits!.dims).toEqual([2, 1000]);
        expect(Array.from(out.logits!.data as Float32Array).every(Number.isFinite)).toBe(true);
      }
    },
    600_000,
  );

  it('graphCost counts exactly what it is shown: a Conv, a MatMul and a Gemm of known shapes', () => {
    const g = new GraphBuilder('tiny');
    const x = g.input('x', ['batch', 3, 8, 8]);
    const conv = g.annotate(
      g.node('Conv', [x, g.weight('w', [4, 3, 3, 3], new Float32Array(108))], { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) }),
      ['batch', 4, 8, 8],
    );
    const flat = g.annotate(g.node('Reshape', [conv, g.int64s('s', [0, 4, 64])]), ['batch', 4, 64]);
    const mm = g.annotate(g.node('MatMul', [flat, g.weight('m', [64, 10], new Float32Array(640))]), ['batch', 4, 10]);
    const pooled = g.annotate(g.node('ReduceMean', [mm, g.int64s('a', [1])], { keepdims: attr.int(0) }), ['batch', 10]);
    const out = g.node(
      'Gemm',
      [pooled, g.weight('h', [5, 10], new Float32Array(50)), g.weight('one', [1], new Float32Array([1]))],
      { transB: attr.int(1) },
      'y',
    );
    g.output(out, ['batch', 5]);
    const cost = graphCost(g.toBytes());
    expect(cost.params).toBe(108 + 640 + 50); // the scalar is not a parameter, the int64 shapes neither
    expect(cost.macsByOp).toEqual({ Conv: 4 * 64 * 27, MatMul: 4 * 10 * 64, Gemm: 5 * 10 });
  });
});
