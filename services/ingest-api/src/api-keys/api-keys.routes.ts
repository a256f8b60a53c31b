import { Router } from 'express';
import { principalOf } from '../auth/principal';
import { requireRole } from '../auth/require-role';
import { jsonBody } from '../http/json-body';
import { pathParam } from '../http/path-param';
import type { ApiKeyService } from './api-key.service';

/** Key management (`admin` role). A key is shown once, in the answer that creates it. */
export function apiKeysRoutes(apiKeys: ApiKeyService, maxBodyBytes: number): Router {
  const router = Router();
  const admin = requireRole('admin', { sandboxScoped: false });
  router.post('/api-keys', admin, ...jsonBody(maxBodyBytes), async (req, res) => {
    res.status(201).json(await apiKeys.create(principalOf(req)?.sandboxes ?? [], req.body));
  });
  router.get('/api-keys', admin, async (req, res) => {
    res.json(await apiKeys.list(principalOf(req)?.sandboxes ?? [], req.query));
  });
  router.delete('/api-keys/:id', admin, async (req, res) => {
    await apiKeys.revoke(principalOf(req)?.sandboxes ?? [], pathParam(req, 'id'));
    res.status(204).end();
  });
  return router;
}
