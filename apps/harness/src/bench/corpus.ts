/** The images a bench run drains: the cached corpus, made from real photos when there are any. */
import path from 'node:path';
import { ensureCorpus, formatCount, formatDuration, type Corpus } from '@hourglass/core/bench';
import type { BenchSession } from './session.js';

/** Makes (or finds cached) the corpus, says what it is, and adds a note when it is generated. */
export async function prepareCorpus(session: BenchSession, notes: string[]): Promise<Corpus> {
  const { options, dataRoot } = session;
  const corpusStarted = Date.now();
  const photoDirs = [...options.photoDirs, path.join(dataRoot, 'bench-photos')];
  const corpus: Corpus = await ensureCorpus({
    dataRoot,
    count: options.corpusSize,
    seed: options.seed,
    photoDirs,
    ...(options.knownPhotoFolders ? { knownFolders: options.knownPhotoFolders } : {}),
    onProgress: (done, total) => {
      if (done % 200 === 0 || done === total) session.say(`  corpus    ${done}/${total} files made`);
    },
  });
  session.say(
    `  corpus    ${formatCount(corpus.files.length)} JPEGs (${corpus.kind === 'photos' ? `from ${corpus.sources.length} real photos` : 'GENERATED photo-like images: no real photos found'}), ${corpus.width.min}-${corpus.width.max} x ${corpus.height.min}-${corpus.height.max} px, ${corpus.cached ? 'cached' : `made in ${formatDuration(Date.now() - corpusStarted)}`}: ${corpus.dir}`,
  );
  if (corpus.kind === 'generated') {
    notes.push('No real photos were found (see bench/RESULTS.md for `apt-get download darknet`): the corpus is generated photo-like JPEGs; decode costs may differ from real photos.');
  }
  return corpus;
}
