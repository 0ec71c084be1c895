/**
 * Runs inside a worker_thread. session.run() blocks whatever thread calls it for the whole batch
 * (measured: 119 ms stalls); here that thread is not the one renewing BullMQ locks and heartbeats.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { describeOpened, openSession } from './session.js';
import { runBatch } from './run-batch.js';
import type { FromThread, ThreadInit, ToThread } from './protocol.js';

const init = workerData as ThreadInit;
const port = parentPort!;
const send = (message: FromThread, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);

try {
  const opened = await openSession(init.onnxPath, { provider: init.provider, intraOpThreads: init.intraOpThreads });
  const { session } = opened;
  send({ type: 'ready', ...describeOpened(opened) });

  // A rejection of onMessage (postMessage itself failing) is this thread dying: the parent sees
  // the Worker's 'error' and fails the batches in flight, as for any other crash of the thread.
  port.on('message', (message: ToThread) => void onMessage(message));
  async function onMessage(message: ToThread): Promise<void> {
    if (message.type === 'close') {
      await session.release().catch(() => undefined);
      send({ type: 'closed' });
      port.close();
      return;
    }
    try {
      const { outputs, ms } = await runBatch(session, init, message.input, message.batch);
      send(
        { type: 'result', id: message.id, outputs, ms },
        Object.values(outputs).map((o) => o.buffer as ArrayBuffer),
      );
    } catch (error) {
      send({ type: 'run-failed', id: message.id, message: (error as Error).message ?? String(error) });
    }
  }
} catch (error) {
  send({ type: 'init-failed', message: (error as Error).message ?? String(error) });
}
