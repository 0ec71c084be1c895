/** Live progress of one batch from its event stream (shared by submit and watch). */
import type { BatchView } from '@hourglass/core';
import type { HourglassClient } from '../api-client.js';
import { ProgressLine } from '../progress.js';
import type { Io } from './common.js';

/** Follows the batch to completion, drawing done/total, images/s, ETA and failures on stderr. */
export async function followWithProgress(client: HourglassClient, first: BatchView, io: Io, quiet: boolean): Promise<BatchView> {
  const alreadyDone = first.counts.completed + first.counts.failed;
  const progress = quiet ? undefined : new ProgressLine(`batch ${first.id}`, first.total, io.stderr, alreadyDone);
  const update = (view: BatchView): void => progress?.update(view.counts.completed + view.counts.failed, view.counts.failed);
  update(first);
  const final = await client.follow(first.id, update);
  progress?.finish();
  return final;
}

/** The closing summary line: counts, drain time, rate. */
export function summary(view: BatchView): string {
  const drainMs = view.timings.finishedAt ? Date.parse(view.timings.finishedAt) - Date.parse(view.timings.createdAt) : view.elapsedMs;
  const rate = drainMs > 0 ? (view.total / drainMs) * 1000 : 0;
  return `batch ${view.id} ${view.status}: ${view.counts.completed} labelled, ${view.counts.failed} failed of ${view.total} in ${(drainMs / 1000).toFixed(2)} s (${rate.toFixed(1)} images/s)`;
}
