import { Router } from 'express';
import { requireRole } from '../auth/require-role';
import { jsonBody } from '../http/json-body';
import { pathParam } from '../http/path-param';
import { sandboxOf } from '../http/sandbox';
import type { ProfileService } from './profile.service';

/** Profiles (`manage` role): create, read, look up by identity, upsert, bulk upsert, delete. */
export function profilesRoutes(profiles: ProfileService, maxBodyBytes: number): Router {
  const router = Router();
  const manage = requireRole('manage');
  const body = jsonBody(maxBodyBytes);
  router.post('/profiles', manage, ...body, async (req, res) => {
    const profile = await profiles.create(sandboxOf(req), req.body);
    res.status(201).location(`/profiles/${profile.id}`).json(profile);
  });
  router.get('/profiles', manage, async (req, res) => {
    res.json(await profiles.find(sandboxOf(req), req.query));
  });
  router.post('/profiles/upsert', manage, ...body, async (req, res) => {
    res.json(await profiles.upsert(sandboxOf(req), req.body));
  });
  router.post('/profiles/bulk', manage, ...body, async (req, res) => {
    res.json(await profiles.bulkUpsert(sandboxOf(req), req.body));
  });
  router.get('/profiles/:id', manage, async (req, res) => {
    res.json(await profiles.get(sandboxOf(req), pathParam(req, 'id')));
  });
  router.delete('/profiles/:id', manage, async (req, res) => {
    await profiles.delete(sandboxOf(req), pathParam(req, 'id'));
    res.status(204).end();
  });
  return router;
}
