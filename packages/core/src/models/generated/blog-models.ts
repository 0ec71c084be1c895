/**
 * The blog's three architectures as generated ONNX models: LeViT-128S, LeViT-256 and BEiT-base,
 * built layer for layer like timm's (levit.ts, beit.ts) with seeded random weights. SPEED ONLY:
 * their predictions mean nothing (the labels say so). Parameter counts and MACs match timm's
 * published figures with the 1,000-class heads (the test counts them from the file). When torch
 * and timm exist, infra/export_timm.py makes the real exports instead (`models add`).
 */
import { attr } from '../onnx/graph-builder.js';
import type { ManifestInput } from '../manifest.js';
import { ArchKit, type T } from './arch-kit.js';
import { buildBeit } from './beit.js';
import { IMAGENET_MEAN, IMAGENET_STD } from './timm-like.js';
import { LEVIT_SPECS, buildLevit } from './levit.js';

/** timm's published figures at 224², 1,000 classes (params in millions, GMACs). */
export const BLOG_MODELS = {
  'levit-128s-gen': { arch: 'LeViT-128S', timm: 'levit_128s', params: 7.8, gmacs: 0.3, blogMs: 43, batch: 16 },
  'levit-256-gen': { arch: 'LeViT-256', timm: 'levit_256', params: 18.9, gmacs: 1.1, blogMs: 66, batch: 16 },
  'beit-base-gen': { arch: 'BEiT-base', timm: 'beit_base_patch16_224', params: 86.5, gmacs: 17.6, blogMs: 170, batch: 4 },
} as const;

export type BlogModelName = keyof typeof BLOG_MODELS;

export const isBlogModelName = (name: string): name is BlogModelName => Object.hasOwn(BLOG_MODELS, name);

export function buildBlogModel(name: BlogModelName, options: { seed?: number } = {}): { manifest: ManifestInput; onnx: Uint8Array; params: number } {
  const facts = BLOG_MODELS[name];
  const classes = 1000;
  const size = 224;
  const k = new ArchKit(name, options.seed ?? 11);
  const input: T = { name: k.g.input('input', ['batch', 3, size, size]), shape: ['batch', 3, size, size] };
  const logits =
    name === 'beit-base-gen'
      ? buildBeit(k, input, classes)
      : buildLevit(k, input, LEVIT_SPECS[name === 'levit-128s-gen' ? 'levit-128s' : 'levit-256'], classes);
  k.g.node('Identity', [logits.name], {}, 'logits');
  k.g.output('logits', ['batch', classes]);
  void attr;
  const description = `${facts.arch} (timm ${facts.timm}) rebuilt layer for layer with RANDOM weights: speed measurements only, predictions are meaningless. ${k.params.toLocaleString('en-US')} parameters.`;
  const manifest: ManifestInput = {
    name,
    version: 1,
    description,
    input: { name: 'input', layout: 'NCHW', width: size, height: size, mean: IMAGENET_MEAN, std: IMAGENET_STD, resize: 'cover', dynamicBatch: true },
    output: { name: 'logits', kind: 'logits' },
    labels: Array.from({ length: classes }, (_, i) => `random-weights class ${i}`),
    source: {
      kind: 'generated',
      description: `hourglass architecture generator: ${facts.arch}, random weights, speed only`,
      licence: 'MIT',
      seed: options.seed ?? 11,
    },
    batching: { size: facts.batch, timeoutMs: 10 },
    topK: 5,
  };
  return {
    manifest,
    onnx: k.g.toBytes({ opset: 18, producer: 'hourglass architecture generator (random weights, speed only)', doc: description }),
    params: k.params,
  };
}
