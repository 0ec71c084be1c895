/** A small typed client for the hourglass REST API (fetch + server-sent events). */
import { openAsBlob } from 'node:fs';
import path from 'node:path';
import type { BatchView, ResultRow } from '@hourglass/core';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The server could not be reached at all (refused, unknown host, reset before any answer). */
export class UnreachableError extends Error {
  constructor(
    readonly url: string,
    cause: unknown,
  ) {
    const reason = (cause as { cause?: { code?: string; message?: string } })?.cause;
    super(`cannot reach hourglass at ${url}: ${reason?.code ?? reason?.message ?? (cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'UnreachableError';
  }
}

/** One model as GET /v1/models describes it (the fields the CLI shows). */
export interface ModelInfo {
  name: string;
  version: number;
  description: string | null;
  input: { name: string; layout: string; width: number; height: number; resize: string; dynamicBatch?: boolean };
  classes: number;
  fileBytes: number;
  /** model.onnx plus external data (older APIs: absent). */
  totalBytes?: number;
  params?: number | null;
  opset?: number | null;
  /** The last measured end-to-end throughput, from the newest benchmark report. */
  benchmark?: { imagesPerSecond: number; images: number; workers: number; version: number; measuredAt: string } | null;
  source: { kind: string; [key: string]: unknown };
  served: boolean;
  workers: Array<{ id: string; ep: string; host: string; batchSize: number; processed: number }>;
  [key: string]: unknown;
}

/** GET /v1/train/:id: a train job's state, as the API serves it. */
export interface TrainView {
  id: string;
  status: 'queued' | 'running' | 'completed' | 'failed';
  progress: { phase: string; percent: number; extracted?: { done: number; total: number; cached: number } | null };
  epochs: Array<{ epoch: number; train_loss: number; valid_loss: number; error_rate: number; seconds: number }>;
  model: { name: string; version: number } | null;
  accuracy: number | null;
  error: { code: string; message: string } | null;
  result: { images: { failed: number }; featureCache: { hits: number; computed: number } } | null;
}

/** POST /v1/train's answer: the queued job. */
export interface TrainQueued {
  id: string;
  outputModel: string;
  images: number;
}

export class HourglassClient {
  constructor(
    readonly baseUrl: string,
    private readonly apiKey?: string,
  ) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}), ...extra };
  }

  /** fetch, with "nothing answered" turned into UnreachableError. */
  private async send(pathname: string, init: RequestInit = {}): Promise<Response> {
    const url = `${this.baseUrl}${pathname}`;
    try {
      return await fetch(url, { ...init, headers: this.headers((init.headers ?? {}) as Record<string, string>) });
    } catch (error) {
      if (error instanceof TypeError || (error as { name?: string }).name === 'TypeError') throw new UnreachableError(this.baseUrl, error);
      throw error;
    }
  }

  private async json<T>(response: Response): Promise<T> {
    if (!response.ok) {
      const body = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
      throw new ApiError(response.status, body.error?.code ?? 'HTTP_ERROR', body.error?.message ?? `HTTP ${response.status}`);
    }
    return (await response.json()) as T;
  }

  /** GET a JSON resource (errors become ApiError). */
  async getJson<T>(pathname: string): Promise<T> {
    return this.json<T>(await this.send(pathname));
  }

  /** POST a JSON body, answer parsed (errors become ApiError). */
  async postJson<T>(pathname: string, body: unknown): Promise<T> {
    return this.json<T>(await this.send(pathname, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
  }

  /** Queues a train job (POST /v1/train). */
  async startTraining(body: Record<string, unknown>): Promise<TrainQueued> {
    return this.postJson<TrainQueued>('/v1/train', body);
  }

  async getTraining(id: string): Promise<TrainView> {
    return this.getJson<TrainView>(`/v1/train/${encodeURIComponent(id)}`);
  }

  async submitPaths(model: string, paths: string[], options: { chunkSize?: number; idempotencyKey?: string } = {}): Promise<BatchView> {
    const response = await this.send('/v1/batches', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}) },
      body: JSON.stringify({ model, images: paths.map((path) => ({ path })), ...(options.chunkSize ? { chunkSize: options.chunkSize } : {}) }),
    });
    return this.json<BatchView>(response);
  }

  /** Uploads local files as multipart (`model` + one `images` part each), streamed from disk. */
  async submitFiles(model: string, files: string[], options: { chunkSize?: number; idempotencyKey?: string; names?: string[] } = {}): Promise<BatchView> {
    const form = new FormData();
    form.set('model', model);
    if (options.chunkSize) form.set('chunkSize', String(options.chunkSize));
    for (const [i, file] of files.entries()) form.append('images', await openAsBlob(file), options.names?.[i] ?? path.basename(file));
    const response = await this.send('/v1/batches', {
      method: 'POST',
      headers: options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {},
      body: form,
    });
    return this.json<BatchView>(response);
  }

  async getBatch(id: string): Promise<BatchView> {
    return this.json<BatchView>(await this.send(`/v1/batches/${encodeURIComponent(id)}`));
  }

  async listModels(): Promise<{ models: ModelInfo[]; problems: Array<{ file: string; message: string }> }> {
    return this.json(await this.send('/v1/models'));
  }

  async results(id: string): Promise<ResultRow[]> {
    const response = await this.resultsResponse(id, 'ndjson');
    const text = await response.text();
    return text
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as ResultRow);
  }

  /** The results response, body not yet read (to stream it to a file); errors already thrown. */
  async resultsResponse(id: string, format: 'ndjson' | 'csv'): Promise<Response> {
    const response = await this.send(`/v1/batches/${encodeURIComponent(id)}/results?format=${format}`);
    if (!response.ok || !response.body) await this.json(response);
    return response;
  }

  /**
   * Follows /events until `completed`; calls onProgress for each event. A stream that ends early
   * (proxy timeout, API restart) is reopened, up to `reconnects` times in a row without progress.
   */
  async follow(id: string, onProgress: (view: BatchView) => void, options: { reconnects?: number } = {}): Promise<BatchView> {
    let attemptsLeft = options.reconnects ?? 5;
    for (;;) {
      const outcome = await this.followOnce(id, onProgress);
      if (outcome.completed) return outcome.completed;
      const view = await this.getBatch(id);
      if (view.status === 'completed') {
        onProgress(view);
        return view;
      }
      attemptsLeft = outcome.sawEvents ? (options.reconnects ?? 5) : attemptsLeft - 1;
      if (attemptsLeft < 0) throw new ApiError(0, 'STREAM_ENDED', `the event stream of batch ${id} kept ending before the batch completed`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  private async followOnce(id: string, onProgress: (view: BatchView) => void): Promise<{ completed?: BatchView; sawEvents: boolean }> {
    const response = await this.send(`/v1/batches/${encodeURIComponent(id)}/events`, { headers: { accept: 'text/event-stream' } });
    if (!response.ok || !response.body) await this.json(response);
    const decoder = new TextDecoder();
    let buffer = '';
    let sawEvents = false;
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (!data) continue;
          const view = JSON.parse(data) as BatchView;
          sawEvents = true;
          onProgress(view);
          if (event === 'completed') return { completed: view, sawEvents };
        }
      }
    } catch {
      // The connection dropped mid-stream: the caller checks the batch and reconnects.
    }
    return { sawEvents };
  }
}
