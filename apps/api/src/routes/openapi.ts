/** GET /openapi.json: the API description, built once per app from the zod schemas. */
import { Router, type Request, type Response } from 'express';
import { buildOpenApiDocument } from '../openapi/document.js';

export function openapiRouter(): Router {
  const router = Router();
  const document = JSON.stringify(buildOpenApiDocument());
  router.get('/openapi.json', (_req: Request, res: Response) => {
    res.set('Cache-Control', 'no-cache').type('application/json').send(document);
  });
  return router;
}
