/** @hourglass/worker: build a worker in-process, or spawn worker processes. */
export { createWorkerApp, type WorkerApp, type WorkerAppOptions } from './app.js';
export { spawnWorker, QUEUE_ONLY_WORKER_MAIN, WORKER_MAIN, type SpawnedWorker, type SpawnWorkerOptions } from './spawn.js';
