/** One BullMQ queue per backbone for train jobs (`train-<model>`), created lazily, closed on shutdown. */
import type { Queue } from 'bullmq';
import { createTrainQueue, type Redis, type TrainJobData } from '@hourglass/core';
import { LazyQueues } from './lazy-queues.js';

export type TrainQueueSet = LazyQueues<Queue<TrainJobData>>;

export function createTrainQueues(redis: Redis, prefix: string, hashTagged = false): TrainQueueSet {
  return new LazyQueues((model) => createTrainQueue(model, redis, prefix, hashTagged));
}
