/** A tiny HTTP server for the worker: GET /healthz (liveness for compose/k8s). */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

export type HealthSnapshot = () => Record<string, unknown> & { status: string };

export type ExtraRoute = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<boolean>;

/** Listens on `host` (HOST): a worker started with HOST=127.0.0.1 is not reachable from elsewhere. */
export async function startHealthServer(port: number, snapshot: HealthSnapshot, extra?: ExtraRoute, host = '0.0.0.0'): Promise<HealthServer> {
  const server = http.createServer((req, res) => {
    void (async () => {
      if (req.method === 'GET' && req.url === '/healthz') {
        const body = snapshot();
        res.writeHead(body.status === 'ok' ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
        return;
      }
      if (extra && (await extra(req, res))) return;
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'not found' } }));
    })().catch(() => {
      res.writeHead(500).end();
    });
  });
  // Seconds, not minutes: a client that sends its request slowly does not hold a socket for long.
  server.requestTimeout = 10_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
