/**
 * What the API measures. Queue depth and live workers are read when Prometheus scrapes (a
 * collect() callback asks BullMQ and the heartbeat keys), so they are exact at scrape time and
 * cost nothing between scrapes. Only aggregates: model names, job states, routes; never batch ids,
 * image names or API-key owners.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { LATENCY_BUCKETS_SECONDS } from './registry.js';

/** BullMQ job states exported as `state` of hourglass_queue_jobs. */
export const QUEUE_STATES = ['waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed', 'waiting-children'] as const;
/** The same states as BullMQ's getJobCounts names them (it answers `wait` for waiting). */
export const BULLMQ_COUNT_TYPES = ['wait', 'prioritized', 'delayed', 'active', 'completed', 'failed', 'waiting-children'] as const;

export interface ApiMetricsSources {
  /** The registered models (each gets samples, zeros included, so a missing worker can alert). */
  models(): Promise<string[]>;
  /** One model queue's job counts per state (BullMQ getJobCounts). */
  queueCounts(model: string): Promise<Partial<Record<string, number>>>;
  /** Live worker heartbeats, one entry per worker. */
  liveWorkers(): Promise<Array<{ model: string }>>;
}

export class ApiMetrics {
  readonly queueJobs: Gauge<'model' | 'state'>;
  readonly liveWorkers: Gauge<'model'>;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route'>;
  readonly scrapeErrors: Counter<'source'>;

  constructor(
    readonly registry: Registry,
    sources: ApiMetricsSources,
  ) {
    const registers = [registry];
    // prom-client collects every metric of a scrape in parallel: the gauges and the error counter
    // share one read of the sources per scrape, so the counter reports that same scrape's errors.
    let current: Promise<void> | undefined;
    const refresh = (): Promise<void> =>
      (current ??= read().finally(() => {
        current = undefined;
      }));
    const read = async (): Promise<void> => {
      const [models, workers] = await Promise.all([sources.models().catch(() => undefined), sources.liveWorkers().catch(() => undefined)]);
      if (models === undefined) {
        this.scrapeErrors.inc({ source: 'queues' });
      } else {
        try {
          const queues = await Promise.all(models.map(async (model) => ({ model, counts: await sources.queueCounts(model) })));
          this.queueJobs.reset();
          for (const { model, counts } of queues) {
            QUEUE_STATES.forEach((state, i) => this.queueJobs.set({ model, state }, counts[BULLMQ_COUNT_TYPES[i]!] ?? counts[state] ?? 0));
          }
        } catch {
          this.scrapeErrors.inc({ source: 'queues' });
        }
      }
      if (models === undefined || workers === undefined) {
        this.scrapeErrors.inc({ source: 'workers' });
      } else {
        this.liveWorkers.reset();
        // Every known model gets a sample, 0 included, so "no worker" can alert.
        for (const model of models) this.liveWorkers.set({ model }, 0);
        for (const w of workers) this.liveWorkers.inc({ model: w.model });
      }
    };

    this.scrapeErrors = new Counter({
      name: 'hourglass_metrics_scrape_errors_total',
      help: 'Scrapes where a collected gauge could not be read (Redis away); the gauge keeps its last values.',
      labelNames: ['source'],
      registers,
      collect: refresh,
    });
    this.queueJobs = new Gauge({
      name: 'hourglass_queue_jobs',
      help: 'Jobs in each model queue by BullMQ state, read at scrape time. completed stays 0: workers remove a classify job as it completes (its result rows are the record; count images with hourglass_images_processed_total); failed keeps failed jobs for 7 days.',
      labelNames: ['model', 'state'],
      registers,
      collect: refresh,
    });
    this.liveWorkers = new Gauge({
      name: 'hourglass_live_workers',
      help: 'Worker processes with a live heartbeat, per model, read at scrape time.',
      labelNames: ['model'],
      registers,
      collect: refresh,
    });
    this.httpRequests = new Counter({
      name: 'hourglass_http_requests_total',
      help: 'HTTP requests by method, route template and status code.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'hourglass_http_request_duration_seconds',
      help: 'Time to the end of the response by method and route template (server-sent event streams excluded).',
      labelNames: ['method', 'route'],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    });
  }
}
