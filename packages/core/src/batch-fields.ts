/**
 * The fields of a batch's record, the hash at `Keys.batch(id)`, named once. Two layers write that
 * hash: the BatchStore (batches/, layer 4) creates, reads, lists and removes it, and the result
 * store's Lua (results/, layer 3) advances its counters and completes it in the same script that
 * stores the rows, so that a row and its count are one atomic step. results may not import
 * batches, so the names live here, at layer 0, where both can reach them; nothing else spells a
 * field of the batch hash.
 */
export const BATCH_FIELD = {
  id: 'id',
  model: 'model',
  modelVersion: 'modelVersion',
  /** Hash of the API key that created the batch. */
  owner: 'owner',
  total: 'total',
  /** Images per job. */
  chunkSize: 'chunkSize',
  chunkSizeSource: 'chunkSizeSource',
  chunkSizeReason: 'chunkSizeReason',
  /** ms since the epoch, as are the other times. */
  createdAt: 'createdAt',
  /** '1' once every job of the batch is in its queue. */
  enqueued: 'enqueued',
  /** Images a worker began (each counted once), completed and failed ones (the result store's counters). */
  started: 'started',
  completed: 'completed',
  failed: 'failed',
  firstResultAt: 'firstResultAt',
  /** Set once, by the result store call that stores the batch's last row. */
  finishedAt: 'finishedAt',
} as const;

export type BatchField = (typeof BATCH_FIELD)[keyof typeof BATCH_FIELD];
