/**
 * How many jobs a worker runs at once. Its pipeline wants about `imageBudget` images in flight
 * (2 × the micro-batch: one batch runs while the next decodes), and BullMQ counts jobs: with K
 * images per job, 2 × B jobs would hold 2 × B × K images, each job locked, renewed and
 * stall-checked while it waits, and all of them lost at once with the worker. So the worker asks
 * for ceil(budget / K) jobs, at least 2 (the next job is fetched while one runs) and at most
 * `maxJobs` (the 1-image-per-job concurrency).
 */
export function jobsInFlightFor(imagesPerJob: number, imageBudget: number, maxJobs: number): number {
  const k = Math.max(1, Math.floor(imagesPerJob));
  return Math.max(Math.min(2, maxJobs), Math.min(maxJobs, Math.ceil(imageBudget / k)));
}
