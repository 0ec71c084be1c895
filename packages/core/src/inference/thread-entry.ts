/**
 * Runs inside a worker_thread. session.run() blocks whatever thread calls it for the whole batch
 * (measured: 119 ms stalls); here that thread is not the one renewing BullMQ locks and heartbeats.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { openSession } from './session.js';
import type { FromThread, ThreadInit, ToThread } from './protocol.js';

const init = workerData as ThreadInit;
const port = parentPort!;
const send = (message: FromThread, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);

try {
  const opened = await openSession(init.onnxPath, { ep: init.ep, intraOpThreads: init.intraOpThreads, cudaDeviceId: init.cudaDeviceId });
  const { session } = opened;
  send({ type: 'ready', ep: opened.ep, ...(opened.fallbackReason ? { fallbackReason: opened.fallbackReason } : {}), inputNames: [...session.inputNames], outputNames: [...session.outputNames] });

  port.on('message', async (message: ToThread) => {
    if (message.type === 'close') {
      await session.release().catch(() => undefined);
      send({ type: 'closed' });
      port.close();
      return;
    }
    const started = performance.now();
    try {
      const tensor = new ort.Tensor('float32', message.input, [message.batch, ...init.itemDims]);
      const results = await session.run({ [init.inputName]: tensor }, init.outputNames);
      const outputs: Record<string, Float32Array> = {};
      const transfer: ArrayBuffer[] = [];
      for (const name of init.outputNames) {
        const data = results[name]!.data as Float32Array;
        // Copy out of ORT-owned memory so the buffer can be transferred.
        const copy = new Float32Array(data);
        outputs[name] = copy;
        transfer.push(copy.buffer as ArrayBuffer);
      }
      send({ type: 'result', id: message.id, outputs, ms: performance.now() - started }, transfer);
    } catch (error) {
      send({ type: 'run-failed', id: message.id, message: (error as Error).message ?? String(error) });
    }
  });
} catch (error) {
  send({ type: 'init-failed', message: (error as Error).message ?? String(error) });
}
