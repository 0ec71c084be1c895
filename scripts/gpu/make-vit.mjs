#!/usr/bin/env node
/**
 * Registers the GPU benchmark's ViT-shaped model: the timm-like generator's ViT (patch-16 embedding,
 * one pre-norm transformer block with attention and a GELU MLP, LayerNorms, mean pooling, linear
 * head; external weights, dynamic batch, the ops torch.onnx.export writes) at 224 x 224, embedding
 * width 192 as ViT-Tiny's, through the same bring-your-own-model registration an operator uses.
 * It has ViT-Tiny's shapes, not its depth (12 blocks) or its trained weights: its speed says what
 * attention-shaped graphs cost on the provider, not what a real ViT would.
 *
 *   node scripts/gpu/make-vit.mjs MODELS_DIR [--name vit-shaped] [--width 192]   (needs `npm run build`)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { registerOnnxModel } from '@hourglass/core';
import { writeTimmLikeExport } from '@hourglass/core/testing';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { name: { type: 'string', default: 'vit-shaped' }, width: { type: 'string', default: '192' } },
});
const modelsDir = positionals[0];
if (!modelsDir) throw new Error('usage: make-vit.mjs MODELS_DIR [--name NAME] [--width W]');
const dir = await mkdtemp(path.join(os.tmpdir(), 'hg-vit-'));
try {
  await writeTimmLikeExport(dir, { arch: 'vit', size: 224, width: Number(values.width), classes: 10, weights: 'external' });
  const registered = await registerOnnxModel(modelsDir, dir, {
    name: values.name,
    description: `ViT-shaped benchmark model (timm-like generator, 224x224, width ${values.width}, one block)`,
  });
  console.log(JSON.stringify({ name: registered.name, version: registered.version, warnings: registered.warnings }));
} finally {
  await rm(dir, { recursive: true, force: true });
}
