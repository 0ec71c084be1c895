/** AvgPool / MaxPool, and Mean over the spatial axes as global average pooling. */
import { producesValue } from './conversion.js';
import { fail, paddingOf, requireNhwc, spatialPair } from './node.js';

export const convertPool = producesValue((c, node, ins) => {
  requireNhwc(node);
  return c.graph.pool(c.value(node, ins[0]!), {
    op: node.op === 'AvgPool' ? 'AveragePool' : 'MaxPool',
    kernel: spatialPair(node, 'ksize', 1),
    strides: spatialPair(node, 'strides', 1),
    padding: paddingOf(node),
  });
});

export const convertMean = producesValue((c, node, ins) => {
  const axes = [...c.constant(node, ins[1]!).data].map((a) => (a < 0 ? a + 4 : a)).sort();
  if (axes.join() !== '1,2' || node.attr?.keep_dims?.b) fail(node, 'only Mean over axes [1, 2] without keep_dims (global average pooling) is supported');
  return c.graph.globalPool(c.value(node, ins[0]!), 'GlobalAveragePool');
});
