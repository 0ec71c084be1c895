/** @hourglass/worker: build a worker in-process, or spawn worker processes. */
export { createWorkerApp, type WorkerApp } from './app.js';
export { spawnWorker, WORKER_MAIN, type SpawnedWorker, type SpawnWorkerOptions } from './spawn.js';
