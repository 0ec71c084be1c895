/**
 * The benchmark's image corpus: real photos at realistic size, like the uploads a classifier sees.
 * A handful of source photos (Debian's darknet, opencv-doc and scikit-image packages ship some)
 * are expanded with random crops, flips, scales, colour shifts and JPEG qualities into `count`
 * distinct JPEGs of at least 500×375, cached under DATA_ROOT/bench-corpus/ and identical for the
 * same seed and sources. Larger runs reference the files round-robin. Without any source photo it
 * falls back to generated photo-like images and says so (`kind: 'generated'`).
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { mapLimit } from '../concurrency.js';
import { seededRandom } from '../models/generated/colour-net.js';

export const MIN_CORPUS_WIDTH = 500;
export const MIN_CORPUS_HEIGHT = 375;
export const CORPUS_FOLDER = 'bench-corpus';

/** A folder of photos; `files` limits it to those names (known folders mix photos with drawings). */
export interface PhotoFolder {
  dir: string;
  files?: readonly string[];
}

/** Debian packages that ship real photos: the package, where it installs them, and which files are photos. */
const PHOTO_PACKAGES: readonly (PhotoFolder & { pkg: string })[] = [
  { pkg: 'darknet', dir: '/usr/share/darknet/data', files: ['dog.jpg', 'eagle.jpg', 'giraffe.jpg', 'horses.jpg', 'kite.jpg', 'person.jpg'] },
  {
    pkg: 'opencv-doc',
    dir: '/usr/share/doc/opencv-doc/examples/data',
    files: ['aero1.jpg', 'aero3.jpg', 'aloeL.jpg', 'apple.jpg', 'baboon.jpg', 'building.jpg', 'butterfly.jpg', 'fruits.jpg', 'home.jpg', 'leuvenA.jpg', 'leuvenB.jpg', 'messi5.jpg', 'orange.jpg', 'squirrel_cls.jpg'],
  },
  { pkg: 'python3-skimage', dir: '/usr/lib/python3/dist-packages/skimage/data', files: ['astronaut.png', 'chelsea.png', 'coffee.png', 'motorcycle_left.png', 'rocket.jpg'] },
];

/**
 * Where real photos are looked for: each package's installed folder, and the same folder under
 * /tmp/<package> for `apt-get download <package> && dpkg -x <package>_*.deb /tmp/<package>`
 * (the photos without installing the package and its dependencies).
 */
export const KNOWN_PHOTO_FOLDERS: readonly PhotoFolder[] = PHOTO_PACKAGES.flatMap(({ pkg, dir, files }) => [
  { dir, files },
  { dir: `/tmp/${pkg}${dir}`, files },
]);

export interface CorpusOptions {
  /** DATA_ROOT: the corpus lands in DATA_ROOT/bench-corpus/<key>/. */
  dataRoot: string;
  /** Distinct files to make (≥ 1,000 for the benchmark). */
  count?: number;
  seed?: number;
  /** Extra photo folders (every JPEG/PNG in them at least 256 px on each side is used). */
  photoDirs?: readonly string[];
  /** Searched as well as photoDirs; default KNOWN_PHOTO_FOLDERS. */
  knownFolders?: readonly PhotoFolder[];
  /** Files written at once. */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface CorpusSource {
  file: string;
  sha256: string;
  width: number;
  height: number;
}

export interface Corpus {
  kind: 'photos' | 'generated';
  seed: number;
  /** Paths relative to DATA_ROOT, one per distinct file. */
  files: string[];
  /** Absolute folder holding them. */
  dir: string;
  sources: CorpusSource[];
  /** Sizes of the made files. */
  width: { min: number; max: number };
  height: { min: number; max: number };
  bytes: { total: number; mean: number };
  /** True when the files were already there. */
  cached: boolean;
}

const isImageName = (name: string): boolean => /\.(jpe?g|png)$/i.test(name);

/** Finds source photos: the known Debian folders that exist, plus any folders given. */
export async function findSourcePhotos(photoDirs: readonly string[] = [], knownFolders: readonly PhotoFolder[] = KNOWN_PHOTO_FOLDERS): Promise<CorpusSource[]> {
  const candidates: string[] = [];
  for (const folder of knownFolders) {
    for (const name of folder.files ?? []) candidates.push(path.join(folder.dir, name));
  }
  for (const dir of photoDirs) {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names.filter(isImageName).sort()) candidates.push(path.join(path.resolve(dir), name));
  }
  const seen = new Set<string>();
  const sources: CorpusSource[] = [];
  for (const file of candidates) {
    const bytes = await readFile(file).catch(() => undefined);
    if (!bytes) continue;
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (seen.has(sha256)) continue;
    const meta = await sharp(bytes).metadata().catch(() => undefined);
    if (!meta?.width || !meta.height || meta.width < 256 || meta.height < 256) continue;
    seen.add(sha256);
    sources.push({ file, sha256, width: meta.width, height: meta.height });
  }
  return sources;
}

/** Everything that decides the corpus's bytes; a different key is a different folder. */
function corpusKey(kind: Corpus['kind'], seed: number, count: number, sources: readonly CorpusSource[]): string {
  const hash = createHash('sha256').update(`v1 ${kind} ${seed} ${count}`);
  for (const s of sources) hash.update(s.sha256);
  return `${kind}-s${seed}-n${count}-${hash.digest('hex').slice(0, 10)}`;
}

interface Made {
  width: number;
  height: number;
  bytes: number;
}

/** One variant of a real photo: crop 55-100 % of each side, maybe flip, scale to ≥ 500×375, tint, re-encode. */
async function makeVariant(source: Buffer, meta: CorpusSource, random: () => number): Promise<{ data: Buffer } & Made> {
  const cropW = Math.max(64, Math.round(meta.width * (0.55 + 0.45 * random())));
  const cropH = Math.max(64, Math.round(meta.height * (0.55 + 0.45 * random())));
  const left = Math.floor(random() * (meta.width - cropW + 1));
  const top = Math.floor(random() * (meta.height - cropH + 1));
  // Output: 500-800 px wide at the crop's aspect, then raised until both sides reach the minimum.
  let width = Math.round(MIN_CORPUS_WIDTH + random() * 300);
  let height = Math.round((width * cropH) / cropW);
  const lift = Math.max(1, MIN_CORPUS_HEIGHT / height, MIN_CORPUS_WIDTH / width);
  width = Math.ceil(width * lift);
  height = Math.ceil(height * lift);
  let image = sharp(source, { autoOrient: true }).extract({ left, top, width: cropW, height: cropH });
  if (random() < 0.5) image = image.flop();
  image = image
    .resize(width, height, { fit: 'fill' })
    .modulate({ brightness: 0.85 + 0.3 * random(), saturation: 0.8 + 0.4 * random(), hue: Math.round((random() - 0.5) * 20) })
    .removeAlpha();
  const data = await image.jpeg({ quality: Math.round(70 + random() * 25), mozjpeg: false }).toBuffer();
  return { data, width, height, bytes: data.length };
}

/** A photo-like picture when no photo is available: sky/ground gradient, blurred shapes, sensor noise. */
async function makeGenerated(random: () => number): Promise<{ data: Buffer } & Made> {
  const width = Math.round(MIN_CORPUS_WIDTH + random() * 300);
  const height = Math.max(MIN_CORPUS_HEIGHT, Math.round(width * (0.66 + random() * 0.2)));
  const hue = Math.round(random() * 360);
  const shapes: string[] = [];
  const n = 6 + Math.floor(random() * 10);
  for (let i = 0; i < n; i++) {
    const cx = Math.round(random() * width);
    const cy = Math.round(height * (0.3 + random() * 0.7));
    shapes.push(
      `<ellipse cx="${cx}" cy="${cy}" rx="${Math.round(20 + random() * width * 0.25)}" ry="${Math.round(15 + random() * height * 0.2)}" fill="hsl(${Math.round(random() * 360)},${Math.round(20 + random() * 60)}%,${Math.round(20 + random() * 60)}%)" fill-opacity="${(0.5 + random() * 0.5).toFixed(2)}"/>`,
    );
  }
  const horizon = Math.round(height * (0.3 + random() * 0.3));
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
<defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="hsl(${hue},50%,75%)"/><stop offset="1" stop-color="hsl(${(hue + 30) % 360},40%,55%)"/></linearGradient>
<linearGradient id="ground" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="hsl(${(hue + 120) % 360},35%,40%)"/><stop offset="1" stop-color="hsl(${(hue + 150) % 360},30%,20%)"/></linearGradient></defs>
<rect width="${width}" height="${horizon}" fill="url(#sky)"/><rect y="${horizon}" width="${width}" height="${height - horizon}" fill="url(#ground)"/>
${shapes.join('\n')}</svg>`;
  const base = await sharp(Buffer.from(svg)).blur(1 + random() * 2).removeAlpha().raw().toBuffer();
  for (let i = 0; i < base.length; i++) base[i] = Math.max(0, Math.min(255, base[i]! + Math.round((random() - 0.5) * 24)));
  const data = await sharp(base, { raw: { width, height, channels: 3 } }).jpeg({ quality: Math.round(70 + random() * 25) }).toBuffer();
  return { data, width, height, bytes: data.length };
}

interface CorpusIndex {
  kind: Corpus['kind'];
  seed: number;
  sources: CorpusSource[];
  files: Array<{ name: string } & Made>;
}

function summarise(dataRoot: string, dir: string, index: CorpusIndex, cached: boolean): Corpus {
  const widths = index.files.map((f) => f.width);
  const heights = index.files.map((f) => f.height);
  const total = index.files.reduce((sum, f) => sum + f.bytes, 0);
  return {
    kind: index.kind,
    seed: index.seed,
    dir,
    files: index.files.map((f) => path.relative(dataRoot, path.join(dir, f.name)).split(path.sep).join('/')),
    sources: index.sources,
    width: { min: Math.min(...widths), max: Math.max(...widths) },
    height: { min: Math.min(...heights), max: Math.max(...heights) },
    bytes: { total, mean: Math.round(total / Math.max(1, index.files.length)) },
    cached,
  };
}

/** Makes (or reuses) the corpus; deterministic for the same seed, count and source photos. */
export async function ensureCorpus(options: CorpusOptions): Promise<Corpus> {
  const count = options.count ?? 1_000;
  const seed = options.seed ?? 1;
  const sources = await findSourcePhotos(options.photoDirs, options.knownFolders);
  const kind: Corpus['kind'] = sources.length > 0 ? 'photos' : 'generated';
  const dataRoot = path.resolve(options.dataRoot);
  const dir = path.join(dataRoot, CORPUS_FOLDER, corpusKey(kind, seed, count, sources));
  const indexFile = path.join(dir, 'corpus.json');

  const existing = await readFile(indexFile, 'utf8').then((t) => JSON.parse(t) as CorpusIndex, () => undefined);
  if (existing && existing.files.length === count) {
    const present = await Promise.all(existing.files.map((f) => stat(path.join(dir, f.name)).then((s) => s.size === f.bytes, () => false)));
    if (present.every(Boolean)) return summarise(dataRoot, dir, existing, true);
  }

  await mkdir(dir, { recursive: true });
  const buffers = await Promise.all(sources.map((s) => readFile(s.file)));
  let done = 0;
  const files = await mapLimit(Array.from({ length: count }, (_, i) => i), options.concurrency ?? 2, async (i) => {
    // Each file has its own generator, so the corpus does not depend on the order files finish in.
    const random = seededRandom(seed * 1_000_003 + i);
    const made = kind === 'photos' ? await makeVariant(buffers[i % buffers.length]!, sources[i % sources.length]!, random) : await makeGenerated(random);
    const name = `${String(i).padStart(5, '0')}.jpg`;
    await writeFile(path.join(dir, name), made.data);
    options.onProgress?.(++done, count);
    return { name, width: made.width, height: made.height, bytes: made.bytes };
  });
  const index: CorpusIndex = { kind, seed, sources, files };
  await writeFile(indexFile, `${JSON.stringify(index, null, 2)}\n`);
  return summarise(dataRoot, dir, index, false);
}

/** The i-th image of a run: corpus files round-robin. */
export function corpusItems(corpus: Pick<Corpus, 'files'>, images: number): Array<{ index: number; path: string }> {
  if (corpus.files.length === 0) throw new RangeError('empty corpus');
  return Array.from({ length: images }, (_, index) => ({ index, path: corpus.files[index % corpus.files.length]! }));
}
