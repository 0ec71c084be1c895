/** GET /openapi.json: the API description, built once per app (app.ts assembles it from the route contracts). */
import { Router, type Request, type Response } from 'express';

export function openapiRouter(document: Record<string, unknown>): Router {
  const router = Router();
  const body = JSON.stringify(document);
  router.get('/openapi.json', (_req: Request, res: Response) => {
    res.set('Cache-Control', 'no-cache').type('application/json').send(body);
  });
  return router;
}
