import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON logs to stdout; `name` tells api / worker / cli apart, bindings add model, worker id, ... */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info', bindings: Record<string, unknown> = {}): Logger {
  return pino({ name, level, base: { pid: process.pid, ...bindings } });
}
