#!/usr/bin/env node
/**
 * Reference outputs of nsfwjs's ORIGINAL TF.js models, for the ONNX parity tests.
 *
 *   node scripts/nsfwjs-reference.mjs [--check] [mobilenet-v2 | mobilenet-v2-mid | inception-v3 ...]
 *
 * Generates real JPEG / PNG images with sharp (gradients, shapes, noise, blobs; several sizes),
 * preprocesses each ONCE with hourglass's own code path (decodeImage + channel tables + NCHW
 * writer from @hourglass/core, built dist), then runs the untouched nsfwjs model (loaded by
 * nsfwjs.load from its own bundled files, @tensorflow/tfjs pure-JS CPU backend) on that very float
 * tensor. Writes test/fixtures/nsfwjs/<model>.json: per image the input tensor's sha256, the five
 * probabilities and the pooled features (base64 float32). `--check` recomputes and compares with
 * the committed files instead of writing (exit 1 on drift).
 *
 * Cost on a 2-core machine: ~1-2 s per image for the MobileNets, ~13-30 s per image plus ~1 min
 * load for InceptionV3. The parity test imports this module and runs MobileNetV2 live.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { findNsfwjsPackage } from '@hourglass/core/importers';
import { buildChannelTables, decodeImage, seededRandom, writeImageTensor } from '@hourglass/core/testing';

const here = path.dirname(fileURLToPath(import.meta.url));
export const FIXTURES_DIR = path.resolve(here, '..', 'test', 'fixtures', 'nsfwjs');

/** nsfwjs's preprocessing: pixel / 255, stretched to a square (mean 0, std 1, fit 'fill'). */
export const REFERENCE_MODELS = {
  'mobilenet-v2': { nsfwjsName: 'MobileNetV2', size: 224, images: 20 },
  'mobilenet-v2-mid': { nsfwjsName: 'MobileNetV2Mid', size: 224, images: 20 },
  'inception-v3': { nsfwjsName: 'InceptionV3', size: 299, images: 6 },
};

const NSFWJS_INPUT = { mean: [0, 0, 0], std: [1, 1, 1], resize: 'fill' };
const SIZES = [
  [640, 480],
  [480, 640],
  [224, 224],
  [1024, 256],
  [300, 300],
  [97, 131],
  [800, 600],
  [350, 500],
  [299, 299],
  [512, 384],
];

// ---------------------------------------------------------------- images

function rawImage(width, height, pixel) {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0, i = 0; y < height; y++)
    for (let x = 0; x < width; x++, i += 3) {
      const [r, g, b] = pixel(x, y);
      data[i] = r;
      data[i + 1] = g;
      data[i + 2] = b;
    }
  return sharp(data, { raw: { width, height, channels: 3 } });
}

const clamp = (v) => Math.max(0, Math.min(255, Math.round(v)));

function gradient(w, h, random) {
  const [a, b, c] = [random() * 2 * Math.PI, random(), random()];
  const [dx, dy] = [Math.cos(a), Math.sin(a)];
  return rawImage(w, h, (x, y) => {
    const t = ((x / w - 0.5) * dx + (y / h - 0.5) * dy + 0.75) / 1.5;
    return [clamp(255 * t), clamp(255 * (b + (1 - b) * (1 - t))), clamp(255 * c * (x / w))];
  });
}

function noise(w, h, random) {
  const base = [random() * 255, random() * 255, random() * 255];
  return rawImage(w, h, () => base.map((v) => clamp(v + (random() - 0.5) * 160)));
}

/** Smooth colour blobs (sum of Gaussians): the closest thing to a photo a formula makes. */
function blobs(w, h, random) {
  const k = 5 + Math.floor(random() * 5);
  const list = Array.from({ length: k }, () => ({
    x: random() * w,
    y: random() * h,
    s: (0.08 + random() * 0.3) * Math.max(w, h),
    c: [random() * 255, random() * 255, random() * 255],
  }));
  const bg = [random() * 80, random() * 80, random() * 80];
  return rawImage(w, h, (x, y) => {
    const out = [...bg];
    for (const b of list) {
      const f = Math.exp(-((x - b.x) ** 2 + (y - b.y) ** 2) / (2 * b.s * b.s));
      for (let c = 0; c < 3; c++) out[c] = out[c] * (1 - f) + b.c[c] * f;
    }
    return out.map(clamp);
  });
}

function shapes(w, h, random) {
  const colour = () => `rgb(${Math.floor(random() * 256)},${Math.floor(random() * 256)},${Math.floor(random() * 256)})`;
  const parts = [`<rect width="${w}" height="${h}" fill="${colour()}"/>`];
  for (let i = 0; i < 12; i++) {
    const [x, y, s] = [random() * w, random() * h, (0.05 + random() * 0.3) * Math.min(w, h)];
    const kind = Math.floor(random() * 3);
    if (kind === 0) parts.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${s.toFixed(1)}" fill="${colour()}"/>`);
    else if (kind === 1)
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(s * 1.5).toFixed(1)}" height="${s.toFixed(1)}" fill="${colour()}" transform="rotate(${Math.floor(random() * 90)} ${x.toFixed(1)} ${y.toFixed(1)})"/>`,
      );
    else
      parts.push(
        `<polygon points="${x.toFixed(1)},${y.toFixed(1)} ${(x + s).toFixed(1)},${(y + s / 3).toFixed(1)} ${(x + s / 4).toFixed(1)},${(y + s).toFixed(1)}" fill="${colour()}" fill-opacity="0.8"/>`,
      );
  }
  return sharp(Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">${parts.join('')}</svg>`));
}

function checker(w, h, random) {
  const cell = 8 + Math.floor(random() * 40);
  const [a, b] = [
    [random() * 255, random() * 255, random() * 255],
    [random() * 255, random() * 255, random() * 255],
  ];
  return rawImage(w, h, (x, y) => ((Math.floor(x / cell) + Math.floor(y / cell)) % 2 ? a : b).map(clamp));
}

const GENERATORS = [
  ['blobs', blobs],
  ['gradient', gradient],
  ['shapes', shapes],
  ['noise', noise],
  ['checker', checker],
];

/**
 * `count` deterministic images: { name, bytes }. Formats cycle through JPEG (several qualities),
 * PNG, grayscale PNG and RGBA PNG so decode paths (alpha removal, colourspace) are exercised too.
 */
export async function generateImages(count) {
  const images = [];
  for (let i = 0; i < count; i++) {
    const random = seededRandom(1000 + i);
    const [kind, make] = GENERATORS[i % GENERATORS.length];
    const [w, h] = SIZES[i % SIZES.length];
    let image = make(w, h, random);
    let format;
    switch (i % 6) {
      case 4:
        image = image.png({ compressionLevel: 6 });
        format = 'png';
        break;
      case 5:
        image = i % 12 === 5 ? image.grayscale().png() : image.ensureAlpha(0.6).png();
        format = i % 12 === 5 ? 'png-gray' : 'png-rgba';
        break;
      default:
        image = image.jpeg({ quality: 70 + 7 * (i % 4) });
        format = 'jpeg';
    }
    // Re-read through a file-format buffer: what the models see is a real decoded JPEG / PNG.
    const bytes = await image.toBuffer();
    images.push({ name: `${String(i).padStart(2, '0')}-${kind}-${w}x${h}.${format.startsWith('png') ? 'png' : 'jpg'}`, format, width: w, height: h, bytes });
  }
  return images;
}

// ---------------------------------------------------------------- preprocessing

/** hourglass's path: sharp decode + resize, then the channel tables into an NCHW float tensor. */
export async function preprocess(bytes, input) {
  const decoded = await decodeImage(bytes, { width: input.width, height: input.height, fit: input.resize, maxInputPixels: 100_000_000 });
  const tensor = new Float32Array(3 * input.width * input.height);
  writeImageTensor(decoded.pixels, input.width, input.height, buildChannelTables({ mean: input.mean, std: input.std, layout: 'NCHW' }), 'NCHW', tensor, 0);
  return tensor;
}

export function tensorDigest(tensor) {
  return createHash('sha256')
    .update(Buffer.from(tensor.buffer, tensor.byteOffset, tensor.byteLength))
    .digest('hex');
}

export const encodeFloats = (values) => Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
export function decodeFloats(base64) {
  const bytes = Buffer.from(base64, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

// ---------------------------------------------------------------- the original models

let tfPromise;
async function loadTf() {
  tfPromise ??= (async () => {
    // tfjs prints a "use tfjs-node" banner in Node; nsfwjs logs which model it loads. Keep quiet.
    const { warn, info, log } = console;
    console.warn = console.info = console.log = () => {};
    try {
      const tf = await import('@tensorflow/tfjs');
      await tf.setBackend('cpu');
      await tf.ready();
      return tf;
    } finally {
      Object.assign(console, { warn, info, log });
    }
  })();
  return tfPromise;
}

/**
 * Loads the original nsfwjs model (its own loader and files) and returns run(nchw, n) →
 * { probabilities, features } for a batch, the tensor taken as the model's input as-is.
 */
export async function loadReference(modelName) {
  const spec = REFERENCE_MODELS[modelName];
  if (!spec) throw new Error(`unknown model ${modelName} (known: ${Object.keys(REFERENCE_MODELS).join(', ')})`);
  const tf = await loadTf();
  const nsfwjs = await import('nsfwjs');
  const info = console.info;
  console.info = () => {};
  const net = await nsfwjs.load(spec.nsfwjsName, spec.size === 224 ? undefined : { size: spec.size }).finally(() => {
    console.info = info;
  });
  const model = net.model;
  let predict;
  if (Array.isArray(model.layers)) {
    // Layers model: features = the input of the first Dense layer.
    const dense = model.layers.find((l) => l.getClassName() === 'Dense');
    const probe = tf.model({ inputs: model.inputs, outputs: [dense.input, model.outputs[0]] });
    predict = (x) => probe.predict(x);
  } else {
    // Graph model: features = the input of the first MatMul.
    const nodes = model.artifacts.modelTopology.node;
    const matmul = nodes.find((n) => n.op === 'MatMul' || n.op === '_FusedMatMul');
    const featureNode = matmul.input[0].split(':')[0];
    predict = (x) => model.execute(x, [featureNode, model.outputNodes[0]]);
  }
  const s = spec.size;
  return {
    size: s,
    tfjsVersion: tf.version.tfjs,
    async run(nchw, n) {
      const nhwc = new Float32Array(nchw.length);
      for (let b = 0; b < n; b++) for (let c = 0; c < 3; c++) for (let i = 0; i < s * s; i++) nhwc[(b * s * s + i) * 3 + c] = nchw[(b * 3 + c) * s * s + i];
      const x = tf.tensor4d(nhwc, [n, s, s, 3]);
      const [features, probabilities] = predict(x);
      const out = { probabilities: await probabilities.data(), features: await features.data() };
      tf.dispose([x, features, probabilities]);
      return out;
    },
    dispose: () => net.dispose(),
  };
}

/** Runs the original model on the generated images; returns the fixture object. */
export async function computeReference(modelName, options = {}) {
  const spec = REFERENCE_MODELS[modelName];
  const count = options.images ?? spec.images;
  const input = { width: spec.size, height: spec.size, ...NSFWJS_INPUT };
  const images = await generateImages(count);
  const reference = await loadReference(modelName);
  const rows = [];
  try {
    const batch = 4;
    for (let start = 0; start < images.length; start += batch) {
      const group = images.slice(start, start + batch);
      const tensors = await Promise.all(group.map((img) => preprocess(img.bytes, input)));
      const nchw = new Float32Array(tensors.length * tensors[0].length);
      tensors.forEach((t, k) => nchw.set(t, k * t.length));
      const { probabilities, features } = await reference.run(nchw, group.length);
      const f = features.length / group.length;
      group.forEach((img, k) => {
        rows.push({
          name: img.name,
          format: img.format,
          width: img.width,
          height: img.height,
          inputSha256: tensorDigest(tensors[k]),
          probabilities: Array.from(probabilities.subarray(k * 5, k * 5 + 5)),
          features: encodeFloats(features.slice(k * f, (k + 1) * f)),
        });
      });
      options.log?.(`${modelName}: ${rows.length}/${images.length} images`);
    }
  } finally {
    reference.dispose();
  }
  const nsfwjsPackage = await findNsfwjsPackage();
  return {
    model: modelName,
    generatedBy: 'scripts/nsfwjs-reference.mjs',
    original: `nsfwjs@${nsfwjsPackage.version} ${spec.nsfwjsName} (nsfwjs.load)`,
    runtime: `@tensorflow/tfjs@${reference.tfjsVersion} cpu backend`,
    sharp: `sharp (libvips ${sharp.versions.vips})`,
    input,
    labels: ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'],
    featureSize: rows.length ? decodeFloats(rows[0].features).length : 0,
    images: rows,
  };
}

export const fixturePath = (modelName) => path.join(FIXTURES_DIR, `${modelName}.json`);

export async function readFixture(modelName) {
  return JSON.parse(await readFile(fixturePath(modelName), 'utf8'));
}

/** Largest |a - b| over probabilities, and over features relative to the largest |feature|. */
export function compareOutputs(expected, actual) {
  let probabilities = 0;
  let features = 0;
  for (let i = 0; i < expected.images.length; i++) {
    const e = expected.images[i];
    const a = actual.images[i];
    if (!a || a.name !== e.name) throw new Error(`image ${i}: ${e.name} vs ${a?.name}`);
    if (a.inputSha256 !== e.inputSha256) throw new Error(`image ${e.name}: input tensor differs (sharp / libvips changed?): regenerate the fixtures`);
    e.probabilities.forEach((p, k) => (probabilities = Math.max(probabilities, Math.abs(p - a.probabilities[k]))));
    const [fe, fa] = [decodeFloats(e.features), decodeFloats(a.features)];
    let scale = 0;
    let diff = 0;
    fe.forEach((v, k) => {
      scale = Math.max(scale, Math.abs(v));
      diff = Math.max(diff, Math.abs(v - fa[k]));
    });
    features = Math.max(features, diff / (scale || 1));
  }
  return { probabilities, features };
}

// ---------------------------------------------------------------- CLI

async function main(argv) {
  const check = argv.includes('--check');
  const names = argv.filter((a) => !a.startsWith('--'));
  const models = names.length ? names : Object.keys(REFERENCE_MODELS);
  let drift = false;
  for (const name of models) {
    if (!REFERENCE_MODELS[name]) throw new Error(`unknown model ${name} (known: ${Object.keys(REFERENCE_MODELS).join(', ')})`);
    const t0 = performance.now();
    const fixture = await computeReference(name, { log: (line) => console.error(line) });
    const seconds = ((performance.now() - t0) / 1000).toFixed(1);
    if (check) {
      const diff = compareOutputs(await readFixture(name), fixture);
      const ok = diff.probabilities < 1e-5 && diff.features < 1e-5;
      drift ||= !ok;
      console.log(
        `${name}: ${ok ? 'matches' : 'DRIFTED from'} ${path.relative(process.cwd(), fixturePath(name))} (max |Δp| ${diff.probabilities.toExponential(2)}, features ${diff.features.toExponential(2)} rel; ${seconds} s)`,
      );
    } else {
      await mkdir(FIXTURES_DIR, { recursive: true });
      await writeFile(fixturePath(name), `${JSON.stringify(fixture, null, 1)}\n`);
      console.log(`${name}: wrote ${path.relative(process.cwd(), fixturePath(name))} (${fixture.images.length} images, ${seconds} s)`);
    }
  }
  if (drift) process.exitCode = 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exitCode = 1;
  });
}
