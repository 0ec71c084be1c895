import { type Corpus } from '@hourglass/core';
import type { BenchSession } from './session.js';
/** Makes (or finds cached) the corpus, says what it is, and adds a note when it is generated. */
export declare function prepareCorpus(session: BenchSession, notes: string[]): Promise<Corpus>;
//# sourceMappingURL=corpus.d.ts.map