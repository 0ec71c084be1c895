/** Squeeze of pooled spatial axes and ConcatV2, with NHWC axes remapped to NCHW. */
import { producesValue } from './conversion.js';
import { fail, ints } from './node.js';

export const convertSqueeze = producesValue((c, node, ins) => {
  const x = c.value(node, ins[0]!);
  if (x.shape.length !== 3) fail(node, 'Squeeze is supported on [N, H, W, C] maps only');
  let dims = ints(node.attr?.squeeze_dims).map((d) => (d < 0 ? d + 4 : d));
  if (dims.length === 0) dims = [1, 2].filter((d) => x.shape[d] === 1);
  if (dims.some((d) => d !== 1 && d !== 2)) fail(node, `squeezing axes [${dims.join(',')}] is not supported (only the spatial axes)`);
  // NHWC spatial axes 1, 2 are NCHW axes 2, 3.
  const out = c.graph.squeezeSpatial(
    x,
    dims.map((d) => d + 1),
  );
  if (out.shape.length === 3) fail(node, 'squeezing one spatial axis only is not supported');
  return out;
});

export const convertConcatV2 = producesValue((c, node, ins) => {
  // The axis is the last input, a constant.
  const axis = c.constant(node, ins[ins.length - 1]!).data[0]!;
  const xs = ins.slice(0, -1).map((n) => c.value(node, n));
  const rank = xs[0]!.shape.length + 1;
  const a = axis < 0 ? axis + rank : axis;
  const mapped = rank === 4 ? ({ 1: 2, 2: 3, 3: 1 } as Record<number, number>)[a] : a === 1 ? 1 : undefined;
  if (mapped === undefined) fail(node, `concatenation along axis ${axis} is not supported`);
  return c.graph.concat(xs, mapped);
});
