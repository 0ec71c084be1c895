/**
 * Bull Board at /admin/queues, one entry per registered model's queue (per shard, with QUEUE_SHARDS > 1). The queue list follows the
 * registry: it is refreshed before each board request (the registry read is cached for 2 s).
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { NextFunction, Request, Response, Router } from 'express';
import type { ApiContext } from './context.js';

export const BOARD_PATH = '/admin/queues';

export function createBoard(ctx: ApiContext): { router: Router; refresh: (req: Request, res: Response, next: NextFunction) => void } {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(BOARD_PATH);
  const board = createBullBoard({ queues: [], serverAdapter, options: { uiConfig: { boardTitle: 'hourglass' } } });
  let shown = '';

  const refresh = (_req: Request, _res: Response, next: NextFunction): void => {
    ctx.models
      .snapshot()
      .then((snapshot) => {
        const names = [...snapshot.models.keys()].sort();
        const signature = names.join(',');
        if (signature !== shown) {
          board.replaceQueues(names.flatMap((name) => ctx.queues.get(name).shards.map((shard) => new BullMQAdapter(shard))));
          shown = signature;
        }
        next();
      })
      .catch(next);
  };
  return { router: serverAdapter.getRouter() as Router, refresh };
}
