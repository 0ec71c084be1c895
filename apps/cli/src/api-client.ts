/** A small typed client for the hourglass REST API (fetch + server-sent events). */
import type { BatchView, ResultRow } from '@hourglass/core';

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
    this.name = 'ApiError';
  }
}

export class HourglassClient {
  constructor(readonly baseUrl: string, private readonly apiKey?: string) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}), ...extra };
  }

  private async json<T>(response: Response): Promise<T> {
    if (!response.ok) {
      const body = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
      throw new ApiError(response.status, body.error?.code ?? 'HTTP_ERROR', body.error?.message ?? `HTTP ${response.status}`);
    }
    return (await response.json()) as T;
  }

  async submitPaths(model: string, paths: string[], options: { chunkSize?: number; idempotencyKey?: string } = {}): Promise<BatchView> {
    const response = await fetch(`${this.baseUrl}/v1/batches`, {
      method: 'POST',
      headers: this.headers({ 'content-type': 'application/json', ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}) }),
      body: JSON.stringify({ model, images: paths.map((path) => ({ path })), ...(options.chunkSize ? { chunkSize: options.chunkSize } : {}) }),
    });
    return this.json<BatchView>(response);
  }

  async getBatch(id: string): Promise<BatchView> {
    return this.json<BatchView>(await fetch(`${this.baseUrl}/v1/batches/${id}`, { headers: this.headers() }));
  }

  async results(id: string): Promise<ResultRow[]> {
    const response = await fetch(`${this.baseUrl}/v1/batches/${id}/results`, { headers: this.headers() });
    if (!response.ok) await this.json(response);
    const text = await response.text();
    return text.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as ResultRow);
  }

  /** Follows /events until `completed`; calls onProgress for each event. */
  async follow(id: string, onProgress: (view: BatchView) => void): Promise<BatchView> {
    const response = await fetch(`${this.baseUrl}/v1/batches/${id}/events`, { headers: this.headers({ accept: 'text/event-stream' }) });
    if (!response.ok || !response.body) await this.json(response);
    const decoder = new TextDecoder();
    let buffer = '';
    let last: BatchView | undefined;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (!data) continue;
        last = JSON.parse(data) as BatchView;
        onProgress(last);
        if (event === 'completed') return last;
      }
    }
    return last ?? this.getBatch(id);
  }
}
