/**
 * How many jobs a worker runs at once. Its pipeline wants about `imageBudget` images in flight
 * (2 × the micro-batch: one batch runs while the next decodes), and BullMQ counts jobs: with K
 * images per job, 2 × B jobs would hold 2 × B × K images, each job locked, renewed and
 * stall-checked while it waits, and all of them lost at once with the worker. So the worker asks
 * for enough jobs to hold budget + K − 1 images, at least 2 (the next job is fetched while one
 * runs) and at most `maxJobs` (the 1-image-per-job concurrency).
 *
 * Why the K − 1: a job whose images straddle two micro-batches frees its slot only when the later
 * batch ends, so with exactly ceil(budget / K) jobs the batch filling behind the running one could
 * not reach B and ran part-full (at 11 images per job and B = 16 a worker ran 11×36, 16×32, 13×23
 * … for 2,000 images). Up to K − 1 images more let it fill.
 */
export function jobsInFlightFor(imagesPerJob: number, imageBudget: number, maxJobs: number): number {
  const k = Math.max(1, Math.floor(imagesPerJob));
  return Math.max(Math.min(2, maxJobs), Math.min(maxJobs, Math.ceil((imageBudget + k - 1) / k)));
}
