/**
 * A real ColourNet graph on disk and the ThreadInit that opens a session on it: what the engine
 * tests (one thread, inline, a pool) all run against. `useColourEngine` registers the vitest hooks
 * that write and remove it; read the fields inside tests, after beforeAll has run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { loadModel, writeModel, type RegisteredModel } from '@hourglass/core';
import { buildColourNet, type ThreadInit } from '@hourglass/core/testing';

/** Input side of the graph: 3 × SIZE × SIZE, NCHW. */
export const COLOUR_ENGINE_SIZE = 16;

export interface ColourEngineFixture {
  /** The temp directory holding the model (tests may write junk files beside it). */
  dir: string;
  model: RegisteredModel;
  /** One CPU session with one intra-op thread. */
  init: ThreadInit;
}

export function useColourEngine(prefix: string): ColourEngineFixture {
  const fixture = {} as ColourEngineFixture;
  beforeAll(async () => {
    fixture.dir = await mkdtemp(path.join(os.tmpdir(), prefix));
    const { manifest, onnx } = buildColourNet({ name: 'colour', size: COLOUR_ENGINE_SIZE, channels: 4 });
    await writeModel(fixture.dir, manifest, onnx);
    fixture.model = await loadModel(fixture.dir, 'colour');
    fixture.init = {
      onnxPath: fixture.model.onnxPath,
      provider: { ep: 'cpu' },
      intraOpThreads: 1,
      inputName: 'input',
      itemDims: [3, COLOUR_ENGINE_SIZE, COLOUR_ENGINE_SIZE],
      outputNames: [fixture.model.manifest.output.name],
    };
  });
  afterAll(async () => {
    await rm(fixture.dir, { recursive: true, force: true });
  });
  return fixture;
}

/** A deterministic batch of `n` images' worth of floats in 0..1; `seed` shifts the pattern. */
export function colourBatch(n: number, seed = 0): Float32Array {
  const input = new Float32Array(n * 3 * COLOUR_ENGINE_SIZE * COLOUR_ENGINE_SIZE);
  for (let i = 0; i < input.length; i++) input[i] = (((i + seed) * 7919) % 1000) / 1000;
  return input;
}
