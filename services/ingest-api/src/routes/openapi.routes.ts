import { Router } from 'express';

export function openApiRoutes(document: Record<string, unknown>): Router {
  const router = Router();
  const body = JSON.stringify(document);
  router.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(body);
  });
  return router;
}
