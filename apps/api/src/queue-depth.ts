/**
 * Which of a model queue's jobs count as waiting: the backpressure check at submit
 * (MAX_QUEUED_PER_MODEL) and GET /v1/models/{name}/queue count the same ones.
 */
export const WAITING_JOB_STATES = ['wait', 'prioritized', 'delayed'] as const;

/** The waiting jobs in counts from getJobCounts(...WAITING_JOB_STATES, ...). */
export function waitingJobsOf(counts: Record<string, number>): number {
  return WAITING_JOB_STATES.reduce((sum, state) => sum + (counts[state] ?? 0), 0);
}
