/** What `npm run chaos` can be asked to do: the scenarios by name and the run's options. */
export const SCENARIOS = ['kill', 'redis', 'redis-crash', 'api', 'sigterm'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface ChaosOptions {
  images: number;
  workers: number;
  kills: number;
  /** BullMQ lock and stalled-check interval for the workers (production defaults unless given). */
  lockMs: number;
  stalledMs: number;
  graceMs: number;
  only: ScenarioName[];
  out?: string;
}
