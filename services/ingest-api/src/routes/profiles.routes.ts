import { Router } from 'express';
import { requireRole } from '../auth/require-role';
import { jsonBody } from '../http/json-body';
import { pathParam } from '../http/path-param';
import { sandboxOf } from '../http/sandbox';
import { ProfileService, type ProfileServiceOptions } from '../profiles/profile-service';
import type { RouteDeps } from './route-deps';

/** Profiles (`manage` role): create, read, look up by identity, upsert, bulk upsert, delete. */
export function profilesRoutes(deps: RouteDeps, options: ProfileServiceOptions = {}): Router {
  const router = Router();
  const profiles = new ProfileService(deps.store.profiles, options);
  const manage = requireRole('manage');
  const body = jsonBody(deps.maxBodyBytes);
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
