import { Router } from 'express';
import { principalOf } from '../auth/principal';
import { requireRole } from '../auth/require-role';
import { jsonBody } from '../http/json-body';
import { pathParam } from '../http/path-param';
import type { ApiCredentialService } from './api-credential.service';

/** API credential management (`admin` role). The client secret is shown once, when created. */
export function apiCredentialsRoutes(credentials: ApiCredentialService, maxBodyBytes: number): Router {
  const router = Router();
  const admin = requireRole('admin', { sandboxScoped: false });
  router.post('/api-credentials', admin, ...jsonBody(maxBodyBytes), async (req, res) => {
    res.status(201).json(await credentials.create(principalOf(req)?.sandboxes ?? [], req.body));
  });
  router.get('/api-credentials', admin, async (req, res) => {
    res.json(await credentials.list(principalOf(req)?.sandboxes ?? [], req.query));
  });
  router.delete('/api-credentials/:id', admin, async (req, res) => {
    await credentials.revoke(principalOf(req)?.sandboxes ?? [], pathParam(req, 'id'));
    res.status(204).end();
  });
  return router;
}
