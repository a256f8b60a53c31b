import { Router } from 'express';
import { requireRole } from '../auth/require-role';
import { jsonBody } from '../http/json-body';
import { pathParam } from '../http/path-param';
import { sandboxOf } from '../http/sandbox';
import type { AudienceService } from './audience.service';

/** Audiences (`manage` role): query or static definitions, their member count and a sample. */
export function audiencesRoutes(audiences: AudienceService, maxBodyBytes: number): Router {
  const router = Router();
  const manage = requireRole('manage');
  router.post('/audiences', manage, ...jsonBody(maxBodyBytes), async (req, res) => {
    const audience = await audiences.create(sandboxOf(req), req.body);
    res.status(201).location(`/audiences/${audience.id}`).json(audience);
  });
  router.get('/audiences', manage, async (req, res) => {
    res.json(await audiences.list(sandboxOf(req), req.query));
  });
  router.get('/audiences/:id', manage, async (req, res) => {
    res.json(await audiences.get(sandboxOf(req), pathParam(req, 'id')));
  });
  router.delete('/audiences/:id', manage, async (req, res) => {
    await audiences.delete(sandboxOf(req), pathParam(req, 'id'));
    res.status(204).end();
  });
  router.get('/audiences/:id/count', manage, async (req, res) => {
    res.json(await audiences.count(sandboxOf(req), pathParam(req, 'id')));
  });
  router.get('/audiences/:id/sample', manage, async (req, res) => {
    res.json(await audiences.sample(sandboxOf(req), pathParam(req, 'id'), req.query));
  });
  return router;
}
