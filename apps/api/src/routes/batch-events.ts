/**
 * Server-sent progress events for one batch. Progress is polled from the stored counters (not from
 * BullMQ events, which are best effort): `progress` whenever counts change, `completed` once every
 * image has a row, then the stream ends. A comment line every 15 s keeps proxies from closing it.
 */
import type { Request, Response } from 'express';
import { readBatch, type BatchView } from '@hourglass/core';
import type { ApiContext } from '../context.js';

const POLL_MS = 250;
const KEEPALIVE_MS = 15_000;

export async function streamBatchEvents(ctx: ApiContext, req: Request, res: Response, first: BatchView): Promise<void> {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  let closed = false;
  req.on('close', () => {
    closed = true;
  });
  const send = (event: string, view: BatchView): void => {
    res.write(`event: ${event}\nid: ${view.counts.completed + view.counts.failed}\ndata: ${JSON.stringify(view)}\n\n`);
  };

  let last = '';
  let lastWrite = Date.now();
  let view = first;
  while (!closed) {
    const signature = `${view.counts.completed}/${view.counts.failed}/${view.counts.active}`;
    if (signature !== last) {
      send('progress', view);
      last = signature;
      lastWrite = Date.now();
    }
    if (view.status === 'completed') {
      send('completed', view);
      break;
    }
    if (Date.now() - lastWrite > KEEPALIVE_MS) {
      res.write(': keep-alive\n\n');
      lastWrite = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    try {
      view = await readBatch(ctx.redis, ctx.keys, view.id);
    } catch (error) {
      // Redis briefly away: keep the stream open and try again on the next tick.
      ctx.log.debug({ err: String(error), batchId: view.id }, 'events poll failed');
    }
  }
  res.end();
}
