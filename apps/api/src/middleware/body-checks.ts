/**
 * Request-body rules that hold for every route:
 * - a JSON content type with no body at all is 400 BODY_EMPTY (a body parser would skip it and the
 *   route would then see "no JSON" and answer 415, which misleads);
 * - a body that stops arriving for REQUEST_BODY_TIMEOUT_MS is 408 REQUEST_TIMEOUT and the
 *   connection is closed: a client sending a byte now and then cannot hold a socket for minutes.
 *   The timer is the socket's idle timer, armed only while the request's body is still incoming.
 */
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '@hourglass/core';

export function rejectEmptyJson(req: Request, _res: Response, next: NextFunction): void {
  const type = req.get('content-type') ?? '';
  const declared = req.get('content-length');
  const chunked = req.get('transfer-encoding') !== undefined;
  if (
    /^application\/(.+\+)?json\b/i.test(type.trim()) &&
    !chunked &&
    (declared === undefined || Number(declared) === 0) &&
    req.method !== 'GET' &&
    req.method !== 'HEAD'
  ) {
    return next(new AppError('BODY_EMPTY', 'the request says it carries JSON but has no body: send the JSON document'));
  }
  next();
}

export function bodyIdleTimeout(timeoutMs: number) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
    // No body (GET, server-sent events): nothing to wait for, and no timer on a long-lived stream.
    if (timeoutMs <= 0 || !hasBody || req.complete) return next();
    const socket = req.socket;
    const onTimeout = (): void => {
      if (req.complete) return;
      if (!res.headersSent) {
        res
          .status(408)
          .set('Connection', 'close')
          .json({ error: { code: 'REQUEST_TIMEOUT', message: `the request body stalled for more than ${timeoutMs / 1000} s` } });
      }
      setTimeout(() => socket.destroy(), 100).unref();
    };
    // Node's server turns a socket timeout into a 'timeout' event on the request; with a listener
    // there it leaves the socket to us (no listener: it destroys it without an answer).
    socket.setTimeout(timeoutMs);
    req.on('timeout', onTimeout);
    const disarm = (): void => {
      socket.setTimeout(0);
      req.off('timeout', onTimeout);
    };
    req.once('end', disarm);
    res.once('finish', disarm);
    res.once('close', disarm);
    next();
  };
}
